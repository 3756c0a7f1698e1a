"""Floor of the province tally: one ``GROUP BY village, item, value`` over the current answers (best of 3).

    python bench/floors/group_by.py postgresql://…/db SURVEY_ID
"""
from __future__ import annotations

import json
import sys
import time

import psycopg

SQL = ("SELECT frame_village_id, item_key, value, count(*) FROM answer WHERE survey_id = %s AND is_current "
       "GROUP BY frame_village_id, item_key, value")


def main(dsn: str, survey: int) -> dict:
    best, rows = float("inf"), 0
    with psycopg.connect(dsn) as conn:
        for _ in range(3):
            started = time.perf_counter()
            rows = len(conn.execute(SQL, (survey,)).fetchall())
            best = min(best, time.perf_counter() - started)
    return {"seconds": best, "groups": rows}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
