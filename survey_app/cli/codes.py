"""``flask codes issue``: household codes and printable slips."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ..exports.codes_csv import codes_csv
from ..services import audit
from ..services.issuing import codes_wanted, issue_codes, reprint
from ._common import CLI_ACTOR, load_survey, output_file, unit_of_work

codes = AppGroup("codes", help="Household codes and slips.")


def write_codes_csv(path: Path, issued) -> None:
    """Write the codes as CSV (village, serial, code, url, commune): the same file as the console's download."""
    path.write_bytes(codes_csv(issued))


@codes.command("issue")
@click.argument("survey_id", type=int)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write the codes issued now as CSV.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write A4 slips of the codes issued now as PDF.")
@click.option("--spare", type=click.FloatRange(0, 1), default=None, help="Spare share per village (e.g. 0.05).")
def issue_command(survey_id: int, csv_path: Path | None, pdf_path: Path | None, spare: float | None) -> None:
    """Issue one code per household (plus spares) in every village still short of them.

    Codes are issued in steps of SURVEY_CODES_PER_REQUEST, each committed and reported. When no code is
    issued, no file is written: `flask codes reprint` prints the slips already issued.
    """
    issued, remaining = [], None
    while remaining != 0:
        with unit_of_work():
            survey = load_survey(survey_id)
            step = issue_codes(survey, spare_share=spare, actor_name=CLI_ACTOR)
            share = current_app.config["SURVEY_SPARE_SHARE"] if spare is None else spare
            remaining = sum(n for _frame, n in codes_wanted(survey, share)) if step else 0
            deadline = survey.end_date
        issued += step
        if remaining:
            click.echo(f"Issued {len(issued)} codes, {remaining} to go…")
    if not issued:
        click.echo("Issued 0 codes: every village already has its codes. No file was written; "
                   "`flask codes reprint` prints the unused ones again.")
        return
    _write(issued, csv_path, pdf_path, deadline)
    click.echo(f"Issued {len(issued)} codes.")


@codes.command("reprint")
@click.argument("survey_id", type=int)
@click.option("--village", "village_code", default=None, help="Only this village (its code in the frame).")
@click.option("--serial", "serials", multiple=True, type=click.IntRange(1), help="Only this slip (repeatable).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write the codes as CSV.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write A4 slips as PDF.")
def reprint_command(survey_id: int, village_code: str | None, serials: tuple[int, ...], csv_path: Path | None,
                    pdf_path: Path | None) -> None:
    """Print again the slips not yet answered (all, one village, or some serials); logged as an export."""
    if not csv_path and not pdf_path:
        raise click.UsageError("Give --csv FILE, --pdf FILE or both.")
    with unit_of_work():
        survey = load_survey(survey_id)
        frames = [f for f in survey.frame if f.village.code == village_code] if village_code else [None]
        if not frames:
            raise click.ClickException(f"No village {village_code} in survey {survey_id}.")
        slips = [slip for frame in frames for slip in reprint(
            survey, frame_village_id=frame.id if frame else None, serials=set(serials) or None)]
        if not slips:
            raise click.ClickException("No unused slip matches: no file was written.")
        audit.record("codes.export", actor_name=CLI_ACTOR, survey_id=survey.id, count=len(slips),
                     format="+".join(f for f, path in (("csv", csv_path), ("pdf", pdf_path)) if path),
                     **({"village": village_code} if village_code else {}),
                     **({"serials": sorted(serials)} if serials else {}))
        deadline = survey.end_date
    _write(slips, csv_path, pdf_path, deadline)
    click.echo(f"Wrote {len(slips)} slips.")


def _write(slips, csv_path: Path | None, pdf_path: Path | None, deadline) -> None:
    if csv_path:
        write_codes_csv(csv_path, slips)
    if pdf_path:
        from ..services.slips import render_slips_pdf

        pdf_path.write_bytes(render_slips_pdf(slips, deadline=deadline))
