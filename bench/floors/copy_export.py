"""Floor of the raw CSV export: PostgreSQL's COPY of the same pivot and the same columns, drained.

One statement: each current version's answers pivoted per item (codes and reasons), joined to its phiếu,
village and opinion, numbered in version order, written by the server as CSV. No neutralising, no
headers in the user's language, no BOM: the database's own speed at producing the rows.

    python bench/floors/copy_export.py postgresql://…/db SURVEY_ID
"""
from __future__ import annotations

import hashlib
import json
import resource
import sys
import time

import psycopg


def pivot_sql(keys: list[str]) -> str:
    codes = ", ".join(f"max(CASE WHEN item_key = '{k}' THEN value END) AS c{i}" for i, k in enumerate(keys))
    reasons = ", ".join(f"max(CASE WHEN item_key = '{k}' THEN reason END) AS r{i}" for i, k in enumerate(keys))
    columns = ", ".join([f"a.c{i}" for i in range(len(keys))] + [f"a.r{i}" for i in range(len(keys))])
    return (
        "SELECT row_number() OVER (ORDER BY a.rv), v.commune_code, v.code, v.name, r.channel, "
        "to_char(r.submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD'), rv.version - 1, "
        f"{columns}, rv.opinion "
        f"FROM (SELECT response_version_id AS rv, {codes}, {reasons} FROM answer "
        "WHERE survey_id = %(survey)s AND is_current GROUP BY response_version_id) a "
        "JOIN response_version rv ON rv.id = a.rv JOIN response r ON r.id = rv.response_id "
        "JOIN frame_village f ON f.id = r.frame_village_id JOIN village v ON v.id = f.village_id "
        "ORDER BY a.rv")


def main(dsn: str, survey: int) -> dict:
    with psycopg.connect(dsn) as conn:
        template = conn.execute("SELECT template FROM survey WHERE id = %s", (survey,)).fetchone()[0]
        keys = [item["key"] for item in (template if isinstance(template, dict) else json.loads(template))["items"]]
        sql = pivot_sql(keys) % {"survey": int(survey)}
        started, cpu = time.perf_counter(), time.process_time()
        digest, size = hashlib.sha256(), 0
        with conn.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            for chunk in copy:
                digest.update(chunk)
                size += len(chunk)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "bytes": size,
                "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
