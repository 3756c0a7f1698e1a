"""``flask demo load``: demo data for trying the platform."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services import household_codes
from ..services.demo import USERS, load_demo
from ..services.issuing import reprint
from ..services.responses import find_code, response_for
from ._common import unit_of_work

demo = AppGroup("demo", help="Demo data.")


@demo.command("load")
def load_command() -> None:
    """Create the demo commune, users, open survey and answers (does nothing twice)."""
    with unit_of_work():
        survey = load_demo()
    click.echo(f"Demo survey {survey.id}: {survey.title}")
    click.echo("Logins (demo only):")
    for username, password, role, unit, _name in USERS:
        click.echo(f"  {username:8} / {password:14} {role.value}{' of ' + unit if unit else ''}")
    unused = [s for s in reprint(survey) if response_for(find_code(s.code)) is None][:3]
    click.echo("Household links (not yet answered):")
    for slip in unused:
        click.echo(f"  {household_codes.household_url(slip.code)}   ({slip.village_name}, slip {slip.serial})")
