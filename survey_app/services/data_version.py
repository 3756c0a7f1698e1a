"""A data version per survey that every committed write changes, so cached live results are never stale.

A write marks its survey: ``lifecycle.require`` does it for every write that depends on the survey's state
(``mark``), and every ORM change of a survey row (its state, rules, dates), of its frame, or of the units
register (commune and village names: ``REGISTRY``) is marked as it is flushed. Just before the transaction
commits, one shard row of each marked scope gets one
more write, in the same transaction (``before_commit``), so the count and the data become visible together.
``current`` sums the shards: it grows with every commit that changed the survey and with nothing else.

Read the version before the data it keys (as ``live_results`` does): what is built afterwards is at least
as new as the version says, and any write committed later changes the version.

PostgreSQL: a writer's shard is its server process id modulo ``SHARDS``, and the shard row is updated at
commit time, so residents answering at once neither queue on one row nor hold it while they work. One
exception: a resident's answer stored by one statement (``responses.submit(..., alone=True)``) counts inside
that statement, which its request commits at once; a transaction with no other write cannot take these rows
out of the commit-time order.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Commune, FrameVillage, Province, Survey, Village
from ..models.versions import DataVersion

#: The scope of the units register (commune and village names shown by every survey's results).
REGISTRY = 0
SHARDS = 16
_MARKED = "data_version_scopes"


def mark(scope: int) -> None:
    """Count one more write of ``scope`` (a survey id, or REGISTRY) when the current transaction commits."""
    db.session.info.setdefault(_MARKED, set()).add(int(scope))


def current(survey_id: int) -> tuple[int, int]:
    """(committed writes of the survey, of the units register)."""
    table = DataVersion.__table__
    rows = dict(db.session.execute(
        select(table.c.scope, func.sum(table.c.writes)).where(table.c.scope.in_((survey_id, REGISTRY)))
        .group_by(table.c.scope)).all())
    return int(rows.get(survey_id, 0)), int(rows.get(REGISTRY, 0))


def _scope(instance) -> int | None:
    """The scope an ORM change of ``instance`` touches, or None."""
    if isinstance(instance, Survey):
        return instance.id
    if isinstance(instance, FrameVillage):
        return instance.survey_id
    if isinstance(instance, Commune | Village | Province):
        return REGISTRY
    return None


@event.listens_for(Session, "before_flush")
def _mark_flushed(session: Session, _context, _instances) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        scope = _scope(instance)
        if scope is not None:
            session.info.setdefault(_MARKED, set()).add(int(scope))


@lru_cache(maxsize=4)
def _count_statement(dialect: str):
    """One more write of scope ``:scope`` in this writer's shard (built once: it runs at every commit; a
    resident's one-statement submit, ``submit_sql.STORE_AT_ONCE``, writes the same row in its own text)."""
    table = DataVersion.__table__
    postgres = dialect == "postgresql"
    statement = (postgresql.insert if postgres else sqlite.insert)(table).values(
        scope=bindparam("scope"), shard=func.pg_backend_pid() % SHARDS if postgres else 0, writes=1)
    return statement.on_conflict_do_update(index_elements=[table.c.scope, table.c.shard],
                                           set_={"writes": table.c.writes + 1})


@event.listens_for(Session, "before_commit")
def _count_writes(session: Session) -> None:
    session.flush()  # changes still pending mark their scopes as they are flushed, before they are counted
    scopes = session.info.pop(_MARKED, None)
    if not scopes:
        return
    statement = _count_statement(session.get_bind().dialect.name)
    for scope in sorted(scopes):  # one order everywhere: no two commits wait on each other's rows
        session.execute(statement, {"scope": scope})


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_MARKED, None)
