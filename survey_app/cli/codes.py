"""``flask codes issue``: household codes and printable slips."""
from __future__ import annotations

import csv
from pathlib import Path

import click
from flask.cli import AppGroup

from ..services.issuing import issue_codes
from ._common import CLI_ACTOR, load_survey, output_file, unit_of_work

codes = AppGroup("codes", help="Household codes and slips.")


def write_codes_csv(path: Path, issued) -> None:
    """Write the issued codes as CSV (village, serial, code, url, commune), UTF-8 with BOM for Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["village_code", "village_name", "serial", "code", "url", "commune_code", "commune_name"])
        for item in issued:
            writer.writerow([item.village_code, item.village_name, item.serial, item.display, item.url,
                             item.commune_code, item.commune_name])


@codes.command("issue")
@click.argument("survey_id", type=int)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write the codes as CSV.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False, path_type=Path), callback=output_file,
              help="Write A4 slips as PDF.")
@click.option("--spare", type=click.FloatRange(0, 1), default=None, help="Spare share per village (e.g. 0.05).")
def issue_command(survey_id: int, csv_path: Path | None, pdf_path: Path | None, spare: float | None) -> None:
    """Issue one code per household (plus spares) in every village still short of them."""
    with unit_of_work():
        survey = load_survey(survey_id)
        issued = issue_codes(survey, spare_share=spare, actor_name=CLI_ACTOR)
        deadline = survey.end_date
    if csv_path:
        write_codes_csv(csv_path, issued)
    if pdf_path:
        from ..services.slips import render_slips_pdf

        pdf_path.write_bytes(render_slips_pdf(issued, deadline=deadline))
    click.echo(f"Issued {len(issued)} codes.")
