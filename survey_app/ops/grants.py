"""PostgreSQL grants of the app's database role: everything it needs, and no way to change the audit log.

The tables belong to an owner role that runs the migrations (``flask db upgrade``) and the restores; the
app servers connect as another role with these grants. An owner may always change its own tables, so
the app must not connect as the owner for the grants to mean anything (docs/deploy.md).
"""
from __future__ import annotations

import re

from sqlalchemy import inspect, text

from ..extensions import db

#: Plain lower-case identifiers only: the names are put in the statements (quoted), so nothing else is
#: accepted. PostgreSQL identifiers are at most 63 bytes.
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,62}", re.ASCII)
#: Tables the app role may read but never write (the migrations' own bookkeeping).
READ_ONLY = ("alembic_version",)
#: Tables the app role may read and append to, never change or empty.
APPEND_ONLY = ("audit_entry", "publication")

_TEMPLATE = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
    # Tables a later migration creates get the same rights (re-run the command after it all the same).
    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
    "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
)
_APPEND_ONLY = "REVOKE UPDATE, DELETE, TRUNCATE ON TABLE {schema}.{table} FROM {role}"
_READ_ONLY = "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON TABLE {schema}.{table} FROM {role}"


def _quoted(name: str, what: str) -> str:
    if not IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name[:80]!r} is not a plain {what} name (lower-case letters, digits and _, "
                         "at most 63, not starting with a digit)")
    return f'"{name}"'


def _fill(template: str, **names: str) -> str:
    for key, value in names.items():
        template = template.replace("{" + key + "}", value)
    return template


def statements(role: str, schema: str = "public", tables: set[str] | None = None) -> list[str]:
    """The statements, in order; ``tables`` limits the revocations to tables that exist (all when None).

    Raises ValueError for a role or schema that is not a plain identifier.
    """
    names = {"role": _quoted(role, "role"), "schema": _quoted(schema, "schema")}
    result = [_fill(template, **names) for template in _TEMPLATE]
    for table in APPEND_ONLY:
        if tables is None or table in tables:
            result.append(_fill(_APPEND_ONLY, table=f'"{table}"', **names))
    for table in READ_ONLY:
        if tables is None or table in tables:
            result.append(_fill(_READ_ONLY, table=f'"{table}"', **names))
    return result


def apply(role: str, schema: str = "public") -> int:
    """Run the statements on the app's database in one transaction; return how many ran.

    Raises ValueError on another database than PostgreSQL (SQLite has no roles) or a bad name.
    """
    if db.engine.dialect.name != "postgresql":
        raise ValueError("grants are for PostgreSQL; SQLite has no roles")
    tables = set(inspect(db.engine).get_table_names(schema=schema))
    if not set(APPEND_ONLY) <= tables:
        raise ValueError(f"no audit_entry table in schema {schema}: run `flask db upgrade` first")
    todo = statements(role, schema, tables)
    with db.engine.begin() as conn:
        for statement in todo:
            conn.execute(text(statement))
    return len(todo)
