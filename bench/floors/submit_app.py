"""Floor of the resident submit: bare Flask and one psycopg connection per thread, nothing else.

GET /s/<code> answers a plain phiếu (the items' two choices, a reason and an opinion box) so the load
client can fill it in; POST /s/<code> parses the answers, locks the household's code row
(``SELECT … FOR UPDATE``), inserts the response and one answer row per item (one multi-row INSERT), marks
the code used, commits and redirects (303) to the receipt, as the project does. No CSRF, session, rate
limit, logging or template engine: the smallest honest program doing the same database work.

Served by gunicorn with the project's worker settings (``bench/floors.py`` starts it):

    cd bench/floors && FLOOR_DATABASE_URL=postgresql://… FLOOR_ITEMS=a,b,… gunicorn submit_app:app
"""
from __future__ import annotations

import html
import os
import secrets
import threading

import psycopg
from flask import Flask, Response, abort, request

DSN = os.environ.get("FLOOR_DATABASE_URL", "")
ITEMS = tuple(os.environ.get("FLOOR_ITEMS", "").split(","))
VALUES = {"satisfied": 1, "not_satisfied": 2}

app = Flask(__name__)
_local = threading.local()

SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_code (id serial PRIMARY KEY, code text UNIQUE NOT NULL,
    frame_village_id int NOT NULL, status text NOT NULL DEFAULT 'issued');
CREATE TABLE IF NOT EXISTS floor_response (id serial PRIMARY KEY, code_id int UNIQUE NOT NULL REFERENCES floor_code,
    frame_village_id int NOT NULL, receipt text UNIQUE NOT NULL, opinion text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS floor_answer (id serial PRIMARY KEY, response_id int NOT NULL REFERENCES floor_response,
    survey_id int NOT NULL, frame_village_id int NOT NULL, item_key text NOT NULL, value smallint NOT NULL,
    reason text NOT NULL, is_current boolean NOT NULL DEFAULT true, UNIQUE (response_id, item_key));
CREATE INDEX IF NOT EXISTS floor_answer_tally
    ON floor_answer (survey_id, is_current, frame_village_id, item_key, value);
"""


def connection() -> psycopg.Connection:
    """This thread's connection (opened once, kept: a pool of one per thread)."""
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(DSN)
    return conn


def _page(code: str) -> str:
    rows = "".join(
        f'<fieldset><legend>{html.escape(key)}</legend>'
        f'<label><input type="radio" name="item_{key}" value="satisfied"> Hài lòng</label>'
        f'<label><input type="radio" name="item_{key}" value="not_satisfied"> Không hài lòng</label>'
        f'<textarea name="reason_{key}"></textarea></fieldset>' for key in ITEMS)
    return (f'<!doctype html><meta charset="utf-8"><form method="post" action="/s/{html.escape(code)}">'
            f'<input id="csrf_token" name="csrf_token" type="hidden" value="floor">{rows}'
            f'<textarea name="opinion"></textarea><button>Gửi phiếu</button></form>')


@app.get("/s/<code>")
def page(code: str):
    return _page(code)


@app.post("/s/<code>")
def submit(code: str):
    form = request.form
    answers = []
    for key in ITEMS:
        value = VALUES.get(form.get(f"item_{key}", ""))
        reason = form.get(f"reason_{key}", "")
        if value is None or len(reason) > 500:
            abort(422)
        answers.append((key, value, reason))
    opinion = form.get("opinion", "")
    if len(opinion) > 2000:
        abort(422)
    conn = connection()
    with conn.transaction():
        row = conn.execute("SELECT id, frame_village_id, status FROM floor_code WHERE code = %s FOR UPDATE",
                           (code.replace("-", "").upper(),)).fetchone()
        if row is None:
            abort(404)
        code_id, village, status = row
        if status != "issued":
            abort(409)
        receipt = secrets.token_hex(4).upper()
        (response_id,) = conn.execute(
            "INSERT INTO floor_response (code_id, frame_village_id, receipt, opinion) VALUES (%s, %s, %s, %s) "
            "RETURNING id", (code_id, village, receipt, opinion)).fetchone()
        placeholders = ", ".join(["(%s, 1, %s, %s, %s, %s)"] * len(answers))
        params = [v for key, value, reason in answers for v in (response_id, village, key, value, reason)]
        conn.execute("INSERT INTO floor_answer (response_id, survey_id, frame_village_id, item_key, value, reason) "
                     f"VALUES {placeholders}", params)
        conn.execute("UPDATE floor_code SET status = 'used' WHERE id = %s", (code_id,))
    return Response(status=303, headers={"Location": f"/bien-nhan/{receipt}"})


@app.get("/bien-nhan/<receipt>")
def receipt(receipt: str):
    return f'<!doctype html><meta charset="utf-8"><p>Biên nhận số {html.escape(receipt)}</p>'


def seed(dsn: str, codes: list[str], villages: int = 10) -> None:
    """Create the floor's tables in the benchmark database and issue ``codes``."""
    with psycopg.connect(dsn) as conn:
        conn.execute(SCHEMA)
        with conn.cursor().copy("COPY floor_code (code, frame_village_id) FROM STDIN") as copy:
            for index, code in enumerate(codes):
                copy.write_row((code, index % villages + 1))
