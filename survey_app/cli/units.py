"""``flask units import``: administrative units from CSV."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..services import audit
from ..services.units import import_unit_files
from ._common import CLI_ACTOR, unit_of_work

units = AppGroup("units", help="Administrative units (provinces, communes, villages).")


@units.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(files: tuple[Path, ...]) -> None:
    """Import provinces.csv / communes.csv files (all or nothing)."""
    with unit_of_work():
        counts = import_unit_files(list(files))
        audit.record("units.import", actor_name=CLI_ACTOR, files=[f.name for f in files], **counts)
    click.echo(f"Imported {counts['provinces']} provinces and {counts['communes']} communes.")
