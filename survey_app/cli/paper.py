"""``flask paper``: printable, machine-readable paper phiếu."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ._common import CLI_ACTOR, load_survey, output_file, unit_of_work

paper = AppGroup("paper", help="Machine-readable paper phiếu: print them, read their scans.")


@paper.command("print")
@click.argument("survey_id", type=int)
@click.option("--village", "village_code", default=None, help="Only this village (its code in the frame).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file, help="The PDF file to write.")
def print_command(survey_id: int, village_code: str | None, out_path: Path) -> None:
    """Write one A4 phiếu per unused household code (of one village, or all) as PDF; logged as an export."""
    from ..services.paper_forms import print_forms

    with unit_of_work():
        survey = load_survey(survey_id)
        frame = None
        if village_code is not None:
            frame = next((f for f in survey.frame if f.village.code == village_code), None)
            if frame is None:
                raise click.ClickException(f"No village {village_code} in survey {survey_id}.")
        data, count = print_forms(survey, frame_village_id=frame.id if frame else None, actor_name=CLI_ACTOR)
    out_path.write_bytes(data)
    click.echo(f"Wrote {count} phiếu to {out_path}.")
