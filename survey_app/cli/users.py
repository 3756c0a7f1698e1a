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
        user = create_user(username, password, Role(role), unit_code, full_name=full_name, actor_name=CLI_ACTOR)
    click.echo(f"Created {user.role.value} {user.username}.")
