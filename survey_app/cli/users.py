"""``flask users create``: accounts for staff, auditors and admins."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..models import Role
from ..services.accounts import create_user
from ._common import CLI_ACTOR, unit_of_work

users = AppGroup("users", help="Staff, auditor and admin accounts.")


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", default=None, help="Province (2 digits) or commune (5 digits) code.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", default="", help="Full name shown in the console.")
def create_command(username: str, role: str, unit_code: str | None, password: str, full_name: str) -> None:
    """Create an account scoped to a province or a commune."""
    with unit_of_work():
        user = create_user(username, password, Role(role), unit_code, full_name=full_name,
                           actor_name=CLI_ACTOR)
    click.echo(f"Created {user.role.value} {user.username}.")


def _account(username: str):
    from sqlalchemy import select

    from ..extensions import db
    from ..models import User

    query = select(User).where(User.username == username.strip().lower())
    user = db.session.execute(query).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No account named {username}.")
    return user


@users.command("password")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def password_command(username: str, password: str) -> None:
    """Set a new password for an account (e.g. an admin who lost theirs)."""
    from ..errors import InputError
    from ..services.accounts import password_problems, set_password
    from ..services.audit import record

    with unit_of_work():
        user = _account(username)
        problems = password_problems(password, user.username)
        if problems:
            raise InputError("Password refused.", [(0, p) for p in problems])
        revoked = set_password(user, password, actor_name=CLI_ACTOR)
        record("user.password_reset", actor_name=CLI_ACTOR, user=user.username)
    click.echo(f"New password set for {user.username}; sessions ended, {revoked} API token(s) revoked.")


@users.command("deactivate")
@click.argument("username")
def deactivate_command(username: str) -> None:
    """Lock an account: its sessions end at their next request and its API tokens are revoked, for good."""
    from ..services.accounts import end_access
    from ..services.audit import record

    with unit_of_work():
        user = _account(username)
        user.active = False
        revoked = end_access(user, reason="deactivate", actor_name=CLI_ACTOR)
        record("user.deactivate", actor_name=CLI_ACTOR, user=user.username)
    click.echo(f"Deactivated {user.username}; sessions ended, {revoked} API token(s) revoked.")


@users.command("list")
def list_command() -> None:
    """List the accounts with their role, unit and state."""
    from sqlalchemy import select

    from ..extensions import db
    from ..models import User

    for user in db.session.execute(select(User).order_by(User.username)).scalars():
        state = "active" if user.active else "locked"
        click.echo(f"{user.username:20} {user.role.value:8} {user.unit_code or '-':6} {state}")
