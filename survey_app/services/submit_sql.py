"""The resident submit's statements, built once per process and database kind (issue 18, item 2).

A statement built at every request costs more Python than running it: SQLAlchemy derives its cache key
from its parts, and bound values given as a dict make new bind parameters (and type objects) each time.
These are built once with named parameters; a request only passes values. On PostgreSQL the answers of a
phiếu go in one statement of fixed text (arrays unnested) rather than one execution per answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Insert, Update, bindparam, insert, text, update
from sqlalchemy.dialects import postgresql, sqlite

from ..models import Answer, CodeStatus, HouseholdCode, Response, ResponseVersion

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


#: PostgreSQL: every answer row of a version in one statement with fixed text (three arrays, unnested).
ANSWERS_UNNESTED = text(
    "INSERT INTO answer (response_version_id, survey_id, frame_village_id, item_key, value, reason, is_current) "
    "SELECT :version_id, :survey_id, :frame_village_id, k, v, r, true "
    "FROM unnest(CAST(:keys AS varchar[]), CAST(:values AS smallint[]), CAST(:reasons AS text[])) AS t (k, v, r)")


def insert_answers(session, version_id: int, rows: list[dict]) -> None:
    """Insert a version's answer rows (``responses._answer_rows``): on PostgreSQL one statement, elsewhere one
    execution of a prepared INSERT per row."""
    if session.get_bind().dialect.name != "postgresql" or not rows:
        session.execute(insert(Answer.__table__), [row | {"response_version_id": version_id} for row in rows])
        return
    first = rows[0]
    assert all(row["is_current"] and row["survey_id"] == first["survey_id"]
               and row["frame_village_id"] == first["frame_village_id"] for row in rows)
    session.execute(ANSWERS_UNNESTED, {
        "version_id": version_id, "survey_id": first["survey_id"], "frame_village_id": first["frame_village_id"],
        "keys": [row["item_key"] for row in rows], "values": [row["value"] for row in rows],
        "reasons": [row["reason"] for row in rows]})
