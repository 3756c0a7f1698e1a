"""Helpers shared by the commands: committing a unit of work and reporting input errors."""
from __future__ import annotations

from contextlib import contextmanager

import click

from ..errors import InputError, StateError
from ..extensions import db
from ..models import Survey

CLI_ACTOR = "cli"


@contextmanager
def unit_of_work():
    """Commit on success; on a domain error roll back, print it, and exit with status 1."""
    try:
        yield
        db.session.commit()
    except (InputError, StateError) as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        raise SystemExit(1) from None
    except Exception:
        db.session.rollback()
        raise


def load_survey(survey_id: int) -> Survey:
    """The survey with this id, or exit with a clear message."""
    survey = db.session.get(Survey, survey_id)
    if survey is None:
        raise click.ClickException(f"No survey with id {survey_id}.")
    return survey
