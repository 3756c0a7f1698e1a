"""``flask survey create|open|close|publish|delete``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..extensions import db
from ..services.drafts import delete_draft, delete_problem
from ..services.surveys import create_survey, transition
from ..services.units import read_frame
from ._common import CLI_ACTOR, load_survey, unit_of_work

survey = AppGroup("survey", help="Create and run a survey.")


@survey.command("create")
@click.option("--template", "template_key", required=True, help="Template key, see `flask surveys list`.")
@click.option("--unit", "unit_code", required=True, help="Commune (5 digits) or province (2 digits) code.")
@click.option("--frame", "frame_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV: village_code, village_name, households[, commune_code].")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD).")
@click.option("--skip-holidays", is_flag=True,
              help="Leave public holidays out of the window too (guidance 90/HD leaves out weekends only).")
def create_command(template_key: str, unit_code: str, frame_path: Path, start, skip_holidays: bool) -> None:
    """Create a draft survey; prints its id alone on the last line."""
    with unit_of_work():
        frame = read_frame(frame_path.read_bytes(), source=frame_path.name)
        created = create_survey(template_key, unit_code, frame, start=start.date() if start else None,
                                skip_holidays=skip_holidays, actor_name=CLI_ACTOR)
    counting = "Saturdays, Sundays and public holidays" if skip_holidays else "Saturdays and Sundays"
    click.echo(f"Created survey “{created.title}”: {len(frame)} villages, "
               f"{sum(r.households for r in frame)} households, window {created.start_date} – {created.end_date} "
               f"({counting} not counted; working weekends counted).")
    click.echo(str(created.id))


def _transition_command(action: str, help_text: str):
    @survey.command(action, help=help_text)
    @click.argument("survey_id", type=int)
    def command(survey_id: int, **options) -> None:
        with unit_of_work():
            target = transition(load_survey(survey_id), action, actor_name=CLI_ACTOR, **options)
        click.echo(f"Survey {survey_id} is now {target.status.value}.")

    return command


open_command = _transition_command("open", "Open a draft survey to answers.")
close_command = _transition_command(
    "close", "Close an open survey: no more web answers; paper phiếu can still be keyed until publication.")
publish_command = click.option(
    "--waiver", default=None, help="Why to publish although paper work is pending (written to the audit log).",
)(click.option("--reason", default="", help="Why the results are published again (needed after `survey reopen`).")(
    _transition_command("publish", "Publish a closed survey's results (refused while paper work is pending).")))


@survey.command("reopen")
@click.argument("survey_id", type=int)
@click.option("--reason", required=True, help="Why the published results must be corrected (audited).")
def reopen_command(survey_id: int, reason: str) -> None:
    """Reopen a published survey to correct paper phiếu; the publication stays until the next `publish`."""
    from ..services.snapshots import reopen

    with unit_of_work():
        reopen(load_survey(survey_id), reason, actor_name=CLI_ACTOR)
    click.echo(f"Survey {survey_id} is closed again for correction; publish it again with --reason.")


@survey.command("delete")
@click.argument("survey_id", type=int)
@click.option("--yes", is_flag=True, help="Delete without asking for confirmation.")
def delete_command(survey_id: int, yes: bool) -> None:
    """Delete a draft survey created by mistake; refused once a household code was issued (audit-logged)."""
    target = load_survey(survey_id)
    title, problem = target.title, delete_problem(target)
    db.session.rollback()  # no transaction stays open while the question waits for an answer
    if problem is not None:
        click.echo(problem, err=True)
        raise SystemExit(1)
    if not yes:
        click.confirm(f"Delete draft survey {survey_id} “{title}”? This cannot be undone.", abort=True)
    with unit_of_work():
        delete_draft(load_survey(survey_id), actor_name=CLI_ACTOR)
    click.echo(f"Deleted draft survey {survey_id} “{title}”.")
