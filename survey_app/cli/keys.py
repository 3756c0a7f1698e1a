"""``flask keys``: create the key files, rotate the household-code key, re-seal stored codes (docs/deploy.md)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .. import keys as keyring
from ..services.key_rotation import BATCH_SIZE, reseal_codes, rotate_code_key
from ._common import CLI_ACTOR

keys = AppGroup("keys", help="The household-code and audit keys (never in the database).")


def _describe(source: keyring.KeySource) -> str:
    try:
        ring = keyring.keyring(source)
    except keyring.KeyUnavailable as error:
        return f"{source.name}: MISSING ({error})"
    where = source.setting if keyring.configured(source) else str(keyring.key_file(source))
    ids = ", ".join(key.kid.hex() for key in ring.keys)
    return f"{source.name}: {len(ring.keys)} key(s) from {where}, primary first: {ids}"


@keys.command("create")
def create_command() -> None:
    """Make the key files that are missing (a key given by its setting needs none), then list the keys by
    id (never the keys themselves). Safe to run again: an existing key is never replaced."""
    for path in keyring.create_missing(current_app):
        click.echo(f"Created {path}: back it up apart from the database.")
    lines = [_describe(source) for source in keyring.SOURCES]
    for line in lines:
        click.echo(line)
    if any("MISSING" in line for line in lines):
        raise SystemExit(1)


def _reseal(batch_size: int) -> None:
    report = reseal_codes(actor_name=CLI_ACTOR, batch_size=batch_size,
                          progress=lambda r: click.echo(f"  {r.examined} codes read, {r.resealed} re-sealed"))
    click.echo(f"Re-sealed {report.resealed} of {report.examined} household codes "
               f"({report.current} already under the primary key).")
    if not report.complete:
        click.echo(f"{report.unreadable} code(s) open under no key of the ring and {report.without_copy} have no "
                   "sealed copy: they stay as they are; keep the older keys.", err=True)
        raise SystemExit(1)


BATCH = click.option("--batch-size", type=click.IntRange(1, 100_000), default=BATCH_SIZE, show_default=True,
                     help="Household codes rewritten per transaction.")


@keys.command("rotate")
@BATCH
@click.option("--no-reseal", is_flag=True, help="Only add the new key; run `flask keys reseal` later.")
def rotate_command(batch_size: int, no_reseal: bool) -> None:
    """Put a new primary household-code key first in instance/household-code.key, keeping the older ones
    (issued codes keep working), then re-seal stored codes under it. With SURVEY_CODE_KEY set, says how to
    rotate through the settings instead."""
    try:
        key = rotate_code_key(actor_name=CLI_ACTOR)
    except (ValueError, keyring.KeyUnavailable) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"New primary household-code key {key.kid.hex()}; the older keys are kept for opening. "
               "Back up the key file again.")
    if not no_reseal:
        _reseal(batch_size)


@keys.command("reseal")
@BATCH
def reseal_command(batch_size: int) -> None:
    """Rewrite the lookup hash and sealed copy of every household code not yet under the primary key
    (after a rotation, or after upgrading from a release without key ids). Idempotent; may be interrupted."""
    _reseal(batch_size)
