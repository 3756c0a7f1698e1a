"""``flask backup create|restore``: a consistent backup of the database, and a restore (all or nothing)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from ..ops.backup import BackupError, backup_database, restore_database

backup = AppGroup("backup", help="Back up and restore the database (pg_dump / SQLite online backup).")


def _default_name() -> str:
    suffix = "dump" if db.engine.url.get_backend_name() == "postgresql" else "sqlite3"
    return f"survey-{datetime.now().strftime('%Y%m%d-%H%M%S')}.{suffix}"


@backup.command("create")
@click.option("--out", "out", type=click.Path(dir_okay=True, path_type=Path), default=None,
              help="File (or folder) to write; default: instance/backups/survey-<time>.dump|sqlite3")
def create_command(out: Path | None) -> None:
    """Write a consistent backup of the live database."""
    if out is None:
        out = Path(current_app.instance_path) / "backups"
    if out.is_dir() or out.suffix == "":
        out = out / _default_name()
    try:
        info = backup_database(db.engine.url, out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written: {info.path} ({info.size} bytes, sha256 {info.sha256})")
    click.echo("Remember: the household-code key (SURVEY_CODE_KEY or instance/household-code.key) is not in "
               "the backup; keep its own copy, apart from the dumps.", err=True)


@backup.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's content with SOURCE, all or nothing (stop the app servers first)."""
    url = db.engine.url
    if not yes:
        click.confirm(f"Replace everything in {url.render_as_string(hide_password=True)} with {source}?",
                      abort=True)
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock the restore needs
    try:
        restore_database(url, source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {source}. Run `flask db upgrade` if the backup predates the current code.")
