"""Production test helpers: the backend, logging in as admin, row counts, every stored text, races."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from survey_app.errors import StateError
from survey_app.extensions import db
from survey_app.services.responses import CodeAlreadyUsed


def backend(app) -> str:
    """``sqlite`` or ``postgresql``: the database the ``app`` fixture runs on."""
    return "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"


def login_as_admin(app, client) -> int:
    """Make an admin account and put it in the client's session (Flask-Login's ``_user_id``)."""
    from flask_login.utils import _create_identifier

    from survey_app.models import Role, User

    with app.app_context():
        user = User(username="fuzz-admin", full_name="Fuzz", password_hash="!", role=Role.ADMIN,
                    unit_code=None)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    # session_protection is "strong": the session must carry the client's identifier too.
    with app.test_request_context(environ_base=client.environ_base or {}):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}.0"  # Flask-Login id: user id and session epoch
        session["_fresh"] = True
        session["_id"] = identifier
    return user_id


def row_counts(app, exclude: tuple[str, ...] = ()) -> dict[str, int]:
    """Rows per table of the whole schema."""
    with app.app_context():
        return {
            table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in db.metadata.sorted_tables if table.name not in exclude
        }


def all_cells(app) -> list[str]:
    """Every value of every row of every table, as text (bytes decoded leniently and as hex)."""
    cells = []
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)).all():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        raw = bytes(value)
                        cells += [raw.decode("latin-1"), raw.hex()]
                    elif value is not None:
                        cells.append(str(value))
    return cells


def together(app, *actions, timeout: float = 30) -> list:
    """Run each action in its own thread and app context at the same moment; return what each did."""
    barrier = threading.Barrier(len(actions), timeout=timeout)
    outcomes: list = [None] * len(actions)

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                started = time.monotonic()
                result = actions[index]()
                db.session.commit()
                outcomes[index] = ("ok", result, time.monotonic() - started)
            except (StateError, CodeAlreadyUsed) as exc:
                db.session.rollback()
                outcomes[index] = ("refused", str(exc), time.monotonic() - started)
            except Exception as exc:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                outcomes[index] = ("error", repr(exc), 0)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    return outcomes
