"""Every Flask extension object, created unbound and initialised by the factory."""
from __future__ import annotations

import enum
import sqlite3

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Enum, MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention, and the one way an enum is stored: its
    values (not its names) as VARCHAR(10), without a database enum type (so a new member needs no ALTER TYPE)."""

    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION), type_annotation_map={
        enum.Enum: Enum(enum.Enum, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
    })


@event.listens_for(Engine, "connect")
def _sqlite_without_implicit_transactions(dbapi_connection, _record) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin SQLite transactions.

    sqlite3 begins a transaction only before a data change, so a SAVEPOINT opened first (``submit``'s
    race guard) began one by itself and its RELEASE committed it: a phiếu could be committed apart from its
    code's status. This is SQLAlchemy's documented recipe for pysqlite.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("BEGIN"))


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
compress = Compress()
