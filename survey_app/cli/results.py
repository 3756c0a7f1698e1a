"""``flask results SURVEY_ID --format json|csv|xlsx --out FILE``."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ._common import load_survey, output_file


@click.command("results")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None, callback=output_file,
              help="File to write (default: standard output for JSON and CSV).")
def results(survey_id: int, fmt: str, out_path: Path | None) -> None:
    """Write a survey's results: verdict, coverage, items, villages and rules."""
    from ..extensions import db
    from ..services.audit import record
    from ..services.results import results_document

    survey = load_survey(survey_id)
    document = results_document(survey)
    if fmt == "json":
        data = json.dumps(document, ensure_ascii=False, indent=2).encode()
    elif fmt == "csv":
        from ..exports import render_csv

        data = render_csv(survey, document)
    else:
        from ..exports import render_xlsx

        if out_path is None:
            raise click.UsageError("--out is required for xlsx")
        data = render_xlsx(survey, document)
    if out_path is not None:
        out_path.write_bytes(data)  # before the audit entry: an export that failed is not logged
    record("results.export", actor_name="cli", survey_id=survey.id, format=fmt)
    db.session.commit()
    if out_path is None:
        click.echo(data.decode("utf-8-sig"))
    else:
        click.echo(f"Wrote {out_path} ({len(data)} bytes).")
