"""Red team for the write paths (issue 13, items 1–3): concurrent HTTP requests through gunicorn on PostgreSQL.

    .venv/bin/python bench/red_team.py [--slips 100] [--workers 2] [--threads 4]

1. A double click on "Phát mã": simultaneous POSTs of the same form issue every code once, quickly.
2. A resident's answer and a staff void of the same slip at the same moment, for many slips: at most one
   counted answer per household (never an answered slip that was also replaced).
3. Publication races: second keyings of unanswered slips, close, then publish while another staff member
   resolves them; then a burst of every write (resolve, web answers, paper keying, voids, issue, rules)
   against the published survey. Nothing dated after the publication, nothing counted changes.

Every request must answer in under 5 s and never with a 5xx. Prints the figures and PASS or FAIL (exit 1).
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench._server import environment  # noqa: E402
from tests.resident import csrf_token, full_answers  # noqa: E402

PASSWORD = "Mat-khau-2026"
SLOW = 5.0


class Recorder:
    """Every request's status and duration, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.slowest = 0.0

    def call(self, session: requests.Session, method: str, url: str, **kwargs) -> requests.Response:
        started = time.monotonic()
        response = session.request(method, url, allow_redirects=False, timeout=60, **kwargs)
        took = time.monotonic() - started
        with self.lock:
            self.statuses[response.status_code] += 1
            self.slowest = max(self.slowest, took)
        return response


def together(*actions) -> None:
    """Run the actions in threads released together by a barrier."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        barrier.wait()
        action()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def staff_session(base: str, rec: Recorder, username: str) -> tuple[requests.Session, str]:
    """A logged-in staff session and a CSRF token of it."""
    session = requests.Session()
    token = csrf_token(rec.call(session, "GET", f"{base}/staff/login").text)
    assert rec.call(session, "POST", f"{base}/staff/login",
                    data={"csrf_token": token, "username": username, "password": PASSWORD}).status_code == 302
    return session, csrf_token(rec.call(session, "GET", f"{base}/staff/password").text)


def seed_more(env, slips: int) -> tuple[int, int]:
    """Two staff accounts in the commune and a draft survey without codes; return (draft id, households)."""
    from survey_app import create_app
    from survey_app.extensions import db
    from survey_app.models import Role
    from survey_app.services.accounts import create_user
    from survey_app.services.surveys import create_survey
    from survey_app.services.units import FrameRow

    app = create_app({"SQLALCHEMY_DATABASE_URI": env.database_url, "SECRET_KEY": env.env["SURVEY_SECRET_KEY"],
                      "SURVEY_CODE_KEY": env.env["SURVEY_CODE_KEY"], "SURVEY_LOG_REQUESTS": False})
    with app.app_context():
        for name in ("canbo", "kiemtra"):
            create_user(name, PASSWORD, Role.STAFF, "21040", actor_name="red-team")
        frame = [FrameRow(i + 2, f"D{i + 1:02d}", f"Thôn nháp {i + 1}", slips * 5) for i in range(10)]
        draft = create_survey("xa-ntm-2026", "21040", frame, actor_name="red-team")
        db.session.commit()
        draft_id = draft.id
        db.engine.dispose()
    return draft_id, slips * 50


def scalar(env, sql: str, **params):
    engine = create_engine(env.database_url)
    with engine.connect() as conn:
        value = conn.execute(text(sql), params).scalar_one()
    engine.dispose()
    return value


def double_click(env, base: str, rec: Recorder, draft_id: int, households: int) -> list[str]:
    staff, token = staff_session(base, rec, "canbo")
    url = f"{base}/staff/surveys/{draft_id}/codes/issue"
    together(*[lambda: rec.call(staff, "POST", url, data={"csrf_token": token, "spare_percent": "0"})] * 4)
    codes = scalar(env, "SELECT count(*) FROM household_code WHERE survey_id = :s", s=draft_id)
    distinct = scalar(env, "SELECT count(DISTINCT serial) FROM household_code WHERE survey_id = :s", s=draft_id)
    print(f"1. double click ×4 on Phát mã: {codes} codes for {households} households, {distinct} distinct serials")
    return [] if codes == distinct == households else ["double click issued the wrong number of codes"]


def answer_or_void(env, base: str, rec: Recorder, slips: int) -> list[str]:
    staff, token = staff_session(base, rec, "canbo")
    pairs = []
    for serial, code in enumerate(env.codes[:slips], 1):
        resident = requests.Session()
        form = full_answers(rec.call(resident, "GET", f"{base}/s/{code}").text)
        pairs.append((resident, code, form, serial))
    void_url = f"{base}/staff/surveys/{env.survey_id}/codes/void"
    for resident, code, form, serial in pairs:
        together(lambda r=resident, c=code, f=form: rec.call(r, "POST", f"{base}/s/{c}", data=f),
                 lambda s=serial: rec.call(staff, "POST", void_url,
                                           data={"csrf_token": token, "serial": s, "reason": "mất phiếu"}))
    both = scalar(env, "SELECT count(*) FROM response r JOIN household_code c ON c.replaces_id = r.household_code_id")
    answered = scalar(env, "SELECT count(*) FROM response WHERE survey_id = :s", s=env.survey_id)
    voided = scalar(env, "SELECT count(*) FROM household_code WHERE status = 'voided' AND survey_id = :s",
                    s=env.survey_id)
    print(f"2. answer vs void on {slips} slips: {answered} answered, {voided} voided, {both} both")
    problems = [] if both == 0 and answered + voided == slips else ["a household was counted and replaced"]
    return problems


def publication(env, base: str, rec: Recorder, slips: int) -> list[str]:
    survey = env.survey_id
    keyer, keyer_token = staff_session(base, rec, "canbo")
    checker, checker_token = staff_session(base, rec, "kiemtra")
    page = rec.call(keyer, "POST", f"{base}/staff/surveys/{survey}/paper",
                    data={"csrf_token": keyer_token, "village": _frame_id(env), "channel": "paper"})
    batch_url = base + page.headers["Location"]
    unanswered = range(slips + 1, 2 * slips + 1)  # serials of the first village nobody answered yet
    for serial in unanswered:
        rec.call(keyer, "POST", f"{batch_url}/second", data={"csrf_token": keyer_token, "slip": serial,
                                                             "answers": "2" * 11})
    rec.call(keyer, "POST", f"{base}/staff/surveys/{survey}/close", data={"csrf_token": keyer_token, "confirm": "y"})
    entries = re.findall(r"/resolve/(\d+)", rec.call(checker, "GET", f"{batch_url}/report").text)
    publish = lambda: rec.call(keyer, "POST", f"{base}/staff/surveys/{survey}/publish", data={  # noqa: E731
        "csrf_token": keyer_token, "confirm": "y", "waiver": "Bản gốc thất lạc, theo biên bản họp ban"})
    resolves = [lambda e=e: rec.call(checker, "POST", f"{batch_url}/resolve/{e}",
                                     data={"csrf_token": checker_token, "use": "second"}) for e in entries[:20]]
    together(publish, *resolves[:7])
    late = scalar(env, "SELECT count(*) FROM response_version v JOIN response r ON r.id = v.response_id "
                       "JOIN survey s ON s.id = r.survey_id WHERE s.id = :s AND v.created_at > s.published_at",
                  s=survey)
    before = scalar(env, "SELECT count(*) FROM response WHERE survey_id = :s", s=survey)
    codes_before = scalar(env, "SELECT count(*) FROM household_code WHERE survey_id = :s", s=survey)
    fresh = env.codes[2 * slips:3 * slips]
    writes = resolves[7:] + [
        lambda c=c: rec.call(requests.Session(), "POST", f"{base}/s/{c}", data={"item_x": "satisfied"}) for c in fresh
    ] + [
        lambda s=s: rec.call(keyer, "POST", batch_url, data={"csrf_token": keyer_token, "slip": s,
                                                            "answers": "1" * 11}) for s in unanswered
    ] + [
        lambda s=s: rec.call(keyer, "POST", f"{base}/staff/surveys/{survey}/codes/void",
                             data={"csrf_token": keyer_token, "serial": s, "reason": "mất"}) for s in unanswered
    ] + [lambda: rec.call(keyer, "POST", f"{base}/staff/surveys/{survey}/codes/issue",
                          data={"csrf_token": keyer_token, "spare_percent": "50"})]
    for start in range(0, len(writes), 8):
        together(*writes[start:start + 8])
    after = scalar(env, "SELECT count(*) FROM response WHERE survey_id = :s", s=survey)
    codes_after = scalar(env, "SELECT count(*) FROM household_code WHERE survey_id = :s", s=survey)
    status = scalar(env, "SELECT status FROM survey WHERE id = :s", s=survey)
    print(f"3. publish against 7 resolves, then {len(writes)} writes to the published survey: status {status}, "
          f"{late} versions after publication, respondents {before} → {after}, codes {codes_before} → {codes_after}")
    if status != "published" or late or after != before or codes_after != codes_before:
        return ["the published count moved"]
    return []


def _frame_id(env) -> int:
    """The second village of the frame (serials slips+1 … 2·slips, untouched by phase 2)."""
    return scalar(env, "SELECT id FROM frame_village WHERE survey_id = :s ORDER BY id OFFSET 1 LIMIT 1",
                  s=env.survey_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=100, help="slips raced per phase (default 100)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    rec = Recorder()
    with tempfile.TemporaryDirectory() as workdir, \
            environment(args.slips * 10, args.workers, "gthread", args.threads, Path(workdir)) as env:
        draft_id, households = seed_more(env, args.slips)
        base = f"http://127.0.0.1:{env.port}"
        problems = double_click(env, base, rec, draft_id, households)
        problems += answer_or_void(env, base, rec, args.slips)
        problems += publication(env, base, rec, args.slips)
    server_errors = sum(n for status, n in rec.statuses.items() if status >= 500)
    print(f"requests: {sum(rec.statuses.values())} ({dict(sorted(rec.statuses.items()))}), "
          f"5xx: {server_errors}, slowest {rec.slowest:.2f} s")
    if server_errors:
        problems.append(f"{server_errors} answers were 5xx")
    if rec.slowest >= SLOW:
        problems.append(f"a request took {rec.slowest:.1f} s")
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
