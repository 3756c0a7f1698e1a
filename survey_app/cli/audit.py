"""``flask audit verify``: check the hash chain of the audit log."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services import audit as audit_log

audit = AppGroup("audit", help="The hash-chained audit log.")


@audit.command("verify")
@click.option("--head", "heads", multiple=True, metavar="HASH",
              help="A head quoted earlier (an export manifest's audit_head): it must still be in the chain, "
                   "which shows that no newest entry was removed since. May be repeated.")
def verify_command(heads: tuple[str, ...]) -> None:
    """Walk the chain; exit 1 if any entry was altered, removed or reordered (removals at the end are
    seen against a head quoted earlier, --head)."""
    count, problems = audit_log.verify(heads)
    for problem in problems:
        click.echo(f"entry {problem.entry_id}: {problem.message}", err=True)
    if problems:
        click.echo(f"Audit log NOT intact: {len(problems)} problem(s) in {count} entries.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} entries, head {audit_log.head()}.")
