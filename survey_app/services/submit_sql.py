"""The resident submit's statements, built once per process and database kind (issue 18, item 2).

A statement built at every request costs more Python than running it: SQLAlchemy derives its cache key
from its parts, and bound values given as a dict make new bind parameters (and type objects) each time.
These are built once with named parameters; a request only passes values. On PostgreSQL the answers of a
phiếu go in one statement of fixed text (the rows as one JSON value, ``answers_json``) rather than one
execution per answer, and a resident's phiếu is stored by one statement in all (``store_at_once``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Insert, Update, bindparam, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Answer, CodeStatus, HouseholdCode, Response, ResponseVersion
from .data_version import SHARDS

RESPONSE_COLUMNS = ("survey_id", "household_code_id", "frame_village_id", "channel", "receipt", "submission_digest",
                    "client_hash")


@dataclass(frozen=True)
class SubmitStatements:
    """Claim the slip, insert the response (unless a unique key is taken), its first version."""

    claim: Update
    response: Insert
    version: Insert


@lru_cache(maxsize=4)
def statements(dialect: str) -> SubmitStatements:
    codes, responses, versions = HouseholdCode.__table__, Response.__table__, ResponseVersion.__table__
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    return SubmitStatements(
        claim=update(codes).where(codes.c.id == bindparam("code_id"), codes.c.status == CodeStatus.ISSUED)
        .values(status=CodeStatus.USED),
        # ON CONFLICT DO NOTHING RETURNING id: None when a unique key is taken, and the transaction stays usable
        response=dialect_insert(responses).values({name: bindparam(name) for name in RESPONSE_COLUMNS})
        .on_conflict_do_nothing().returning(responses.c.id),
        version=insert(versions).values(response_id=bindparam("response_id"), version=1,
                                        opinion=bindparam("opinion"), created_by_id=bindparam("created_by_id"))
        .returning(versions.c.id),
    )


#: PostgreSQL: every answer row of a version in one statement with fixed text (``:answers``: ``answers_json``).
ANSWERS_FROM_JSON = text(
    "INSERT INTO answer (response_version_id, survey_id, frame_village_id, item_key, value, reason, is_current) "
    "SELECT :version_id, :survey_id, :frame_village_id, k, v, r, true "
    "FROM json_to_recordset(CAST(:answers AS json)) AS t (k varchar, v smallint, r text)")


def answers_json(rows: list[dict]) -> str:
    """A version's answer rows (``responses._answer_rows``) as the one JSON value the statements read back."""
    return json.dumps([{"k": row["item_key"], "v": row["value"], "r": row["reason"]} for row in rows])


def insert_answers(session, version_id: int, rows: list[dict]) -> None:
    """Insert a version's answer rows (``responses._answer_rows``): on PostgreSQL one statement, elsewhere one
    execution of a prepared INSERT per row."""
    if session.get_bind().dialect.name != "postgresql" or not rows:
        session.execute(insert(Answer.__table__), [row | {"response_version_id": version_id} for row in rows])
        return
    first = rows[0]
    assert all(row["is_current"] and row["survey_id"] == first["survey_id"]
               and row["frame_village_id"] == first["frame_village_id"] for row in rows)
    session.execute(ANSWERS_FROM_JSON, {"version_id": version_id, "survey_id": first["survey_id"],
                                        "frame_village_id": first["frame_village_id"], "answers": answers_json(rows)})


#: PostgreSQL: a resident's whole write in one statement (issue 18): the survey's row under a shared lock while
#: its state allows the write, the slip claimed (issued → used, its row lock), the response, its first version,
#: its answers and one more write in the survey's data version (this backend's shard). The lock order is the
#: general path's (``lifecycle.require`` then the claim): the uncorrelated EXISTS runs before any slip is
#: locked. Every insert hangs off the one before, so when the state refuses, the slip is not ``issued`` or a
#: unique key is taken, nothing but the claim is written and the caller goes on with the general path.
STORE_AT_ONCE = text("""
WITH allowed AS (
    SELECT id FROM survey WHERE id = :survey_id AND status = ANY (CAST(:statuses AS varchar[])) FOR SHARE
), claimed AS (
    UPDATE household_code SET status = :used
    WHERE id = :code_id AND status = :issued AND EXISTS (SELECT FROM allowed) RETURNING id
), stored AS (
    INSERT INTO response (survey_id, household_code_id, frame_village_id, channel, receipt, submission_digest,
                          submitted_at, current_version, client_hash)
    SELECT :survey_id, id, :frame_village_id, :channel, :receipt, :digest, :now, 1, :client_hash FROM claimed
    ON CONFLICT DO NOTHING RETURNING id
), version AS (
    INSERT INTO response_version (response_id, version, opinion, created_at, created_by_id, change_reason)
    SELECT id, 1, :opinion, :now, :created_by_id, '' FROM stored RETURNING id
), answers AS (
    INSERT INTO answer (response_version_id, survey_id, frame_village_id, item_key, value, reason, is_current)
    SELECT version.id, :survey_id, :frame_village_id, k, v, r, true FROM version,
        json_to_recordset(CAST(:answers AS json)) AS t (k varchar, v smallint, r text)
), counted AS (
    INSERT INTO data_version (scope, shard, writes) SELECT :survey_id, pg_backend_pid() % :shards, 1 FROM stored
    ON CONFLICT (scope, shard) DO UPDATE SET writes = data_version.writes + 1
)
SELECT EXISTS (SELECT FROM allowed), EXISTS (SELECT FROM claimed), (SELECT id FROM stored)
""")


@dataclass(frozen=True)
class AtOnce:
    """What ``STORE_AT_ONCE`` did: whether the state allowed the write, the slip was claimed, and the new
    response's id (None unless everything was stored)."""

    allowed: bool
    claimed: bool
    response_id: int | None


def store_at_once(session, *, statuses: list[str], rows: list[dict], **values) -> AtOnce:
    """Run ``STORE_AT_ONCE`` with a version's answer rows (``responses._answer_rows``) and the response's values."""
    row = session.execute(STORE_AT_ONCE, values | {
        "statuses": statuses, "shards": SHARDS, "answers": answers_json(rows), "issued": CodeStatus.ISSUED.value,
        "used": CodeStatus.USED.value}).one()
    return AtOnce(*row)
