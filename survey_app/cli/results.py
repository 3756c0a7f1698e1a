"""``flask results SURVEY_ID --format json|csv|xlsx --out FILE`` and ``flask results SURVEY_ID --verify``."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from ._common import load_survey, output_file


@click.command("results")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None, callback=output_file,
              help="File to write (default: standard output for JSON and CSV).")
@click.option("--version", "version", type=click.IntRange(1), default=None,
              help="A published version (default: the current one, or the live results before publication).")
@click.option("--verify", is_flag=True,
              help="Recount the stored responses and compare with the current publication (exit 1 if they differ).")
@with_appcontext
@click.option("--freeze", is_flag=True,
              help="Store the snapshot of a survey published before snapshots existed (version 1).")
def results(survey_id: int, fmt: str, out_path: Path | None, version: int | None, verify: bool,
            freeze: bool) -> None:
    """Write a survey's results: verdict, coverage, items, villages and rules (as published, once published)."""
    from ..extensions import db
    from ..services import snapshots
    from ..services.audit import record

    survey = load_survey(survey_id)
    if verify:
        _verify(survey)
        return
    if freeze:
        _freeze(survey)
        return
    document, _indicators, publication = snapshots.document_for(survey)
    if version is not None:
        publication = next((p for p in snapshots.versions(survey) if p.version == version), None)
        if publication is None:
            raise click.ClickException(f"Survey {survey_id} has no published version {version}.")
        document = snapshots.published_document(publication)
    if fmt == "json":
        data = snapshots.published_json(publication) if publication else \
            json.dumps(document, ensure_ascii=False, indent=2).encode()
    elif fmt == "csv":
        from ..exports import render_csv

        data = render_csv(document)
    else:
        from ..exports import render_xlsx
        from ..services.opinions import opinion_rows

        if out_path is None:
            raise click.UsageError("--out is required for xlsx")
        data = render_xlsx(document, opinion_rows(survey.id, snapshots.as_of(survey, publication)))
    if out_path is not None:
        out_path.write_bytes(data)  # before the audit entry: an export that failed is not logged
    record("results.export", actor_name="cli", survey_id=survey.id, format=fmt,
           **({"version": publication.version} if publication else {}))
    db.session.commit()
    if out_path is None:
        click.echo(data.decode("utf-8-sig"))
    else:
        click.echo(f"Wrote {out_path} ({len(data)} bytes).")


def _freeze(survey) -> None:
    from ..models import SurveyStatus
    from ..services import snapshots
    from ._common import CLI_ACTOR, unit_of_work

    if survey.status is not SurveyStatus.PUBLISHED or snapshots.current(survey) is not None:
        raise click.ClickException(f"Survey {survey.id} is not published, or its results are already frozen.")
    with unit_of_work():
        publication = snapshots.record(survey, snapshots.prepare(survey), actor_name=CLI_ACTOR)
    click.echo(f"Froze survey {survey.id} as publication {publication.version} (SHA-256 {publication.sha256}).")


def _verify(survey) -> None:
    """Print whether a recount of the stored responses equals the current publication; exit 1 if not."""
    from ..errors import StateError
    from ..services import snapshots

    try:
        differences = snapshots.verify(survey)
    except StateError as exc:
        raise click.ClickException(str(exc)) from None
    publication = snapshots.current(survey)
    if differences:
        click.echo(f"Publication {publication.version} of survey {survey.id} (SHA-256 {publication.sha256}) "
                   f"does NOT match a recount of the stored responses:")
        for line in differences:
            click.echo(f"  {line}")
        raise SystemExit(1)
    click.echo(f"Publication {publication.version} of survey {survey.id} (SHA-256 {publication.sha256}) "
               f"matches a recount of the stored responses.")
