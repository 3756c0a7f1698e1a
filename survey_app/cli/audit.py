"""``flask audit verify``: check the hash chain of the audit log."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..services import audit as audit_log

audit = AppGroup("audit", help="The hash-chained audit log.")


@audit.command("verify")
def verify_command() -> None:
    """Walk the chain; exit 1 if any entry was altered, removed or reordered."""
    count, problems = audit_log.verify()
    for problem in problems:
        click.echo(f"entry {problem.entry_id}: {problem.message}", err=True)
    if problems:
        click.echo(f"Audit log NOT intact: {len(problems)} problem(s) in {count} entries.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} entries, head {audit_log.head()}.")
