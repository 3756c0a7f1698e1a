"""``flask privacy purge``: clear the client data of surveys published longer ago than the retention."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

privacy = AppGroup("privacy", help="Personal-data retention (Decree 13/2023/NĐ-CP).")


@privacy.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Retention after publication; default: SURVEY_RETENTION_DAYS.")
@click.option("--dry-run", is_flag=True, help="Only say what would be cleared.")
def purge_command(days: int | None, dry_run: bool) -> None:
    """Clear client data and scanned images of surveys published more than the retention period ago."""
    from ..ops.privacy import purge_client_data

    days = current_app.config["SURVEY_RETENTION_DAYS"] if days is None else days
    result = purge_client_data(int(days), dry_run=dry_run)
    if not dry_run:
        db.session.commit()
    verb = "Would clear" if dry_run else "Cleared"
    click.echo(f"{verb} client data of {result.responses} responses in {len(result.survey_ids)} surveys "
               f"published before {result.cutoff:%Y-%m-%d %H:%M} UTC (retention {days} days).")
    click.echo(f"{verb} {result.scan_images} scanned images (their hashes and readings are kept).")
