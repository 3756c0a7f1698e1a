"""``flask audit``: verify and seal the keyed hash chain of the audit log; print or apply the database grants
that leave the app's role only INSERT and SELECT on it."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy.exc import DBAPIError

from ..services import audit as audit_log
from ._common import CLI_ACTOR, unit_of_work

audit = AppGroup("audit", help="The hash-chained audit log.")
#: Problems printed by ``verify`` (all are counted): a chain sealed with the wrong key has one per entry.
MAX_PRINTED = 50


def _heads(_ctx, _param, values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not audit_log.is_head(value):
            raise click.BadParameter(f"{value[:80]!r} is not a head of the chain: a head is 64 hexadecimal "
                                     "digits (0-9, a-f), as printed by `flask audit verify` or in a manifest.")
    return values


@audit.command("verify")
@click.option("--head", "heads", multiple=True, metavar="HASH", callback=_heads,
              help="A head quoted earlier (an export manifest's audit_head): it must still be in the chain, "
                   "which shows that no newest entry was removed since. May be repeated.")
def verify_command(heads: tuple[str, ...]) -> None:
    """Walk the chain; exit 1 if any entry was altered, removed, reordered or added without the audit key
    (removals at the end are seen against a head quoted earlier, --head)."""
    count, problems = audit_log.verify(heads)
    for problem in problems[:MAX_PRINTED]:
        click.echo(f"entry {problem.entry_id}: {problem.message}", err=True)
    if len(problems) > MAX_PRINTED:
        click.echo(f"… and {len(problems) - MAX_PRINTED} more.", err=True)
    if problems:
        click.echo(f"Audit log NOT intact: {len(problems)} problem(s) in {count} entries.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} entries, head {audit_log.head()}.")


@audit.command("seal")
def seal_command() -> None:
    """Seal the entries written before the audit key with a keyed entry (once, after upgrading; the first
    action in the app does the same). Refused when the chain has problems."""
    try:
        with unit_of_work():
            sealed = audit_log.seal(actor_name=CLI_ACTOR)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    if not sealed:
        click.echo("Nothing to seal: the chain is empty or already keyed.")
        return
    click.echo(f"Sealed {sealed} entries hashed before the audit key; head {audit_log.head()}.")


@audit.command("grants")
@click.option("--role", required=True, help="The database role the app connects as (not the owner).")
@click.option("--schema", default="public", show_default=True, help="The schema of the app's tables.")
@click.option("--apply", "apply_", is_flag=True,
              help="Run the statements on the configured database (connect as the tables' owner).")
def grants_command(role: str, schema: str, apply_: bool) -> None:
    """Print (or apply) the PostgreSQL grants of the app's role: read and write every table, but only
    INSERT and SELECT on audit_entry, and nothing but SELECT on alembic_version. Idempotent: run it again
    after every `flask db upgrade`."""
    from ..ops import grants

    try:
        statements = grants.statements(role, schema)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--role/--schema") from error
    if not apply_:
        for statement in statements:
            click.echo(statement + ";")
        return
    try:
        applied = grants.apply(role, schema)
    except (ValueError, DBAPIError) as error:  # e.g. a role that does not exist
        raise click.ClickException(str(getattr(error, "orig", None) or error).strip()) from error
    click.echo(f"Applied {applied} statements: {role} may insert and read audit entries, never change them.")
