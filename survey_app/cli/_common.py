"""Helpers shared by the commands: committing a unit of work and reporting input errors."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import click

from ..errors import InputError, StateError
from ..extensions import db
from ..models import Survey
from ..services.scope import Absent, Scope

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


def output_file(_ctx, param, value: Path | None) -> Path | None:
    """Click callback: a file to write must be in a folder that exists and can be written, checked before
    any work is done (so that codes are never issued into a file that cannot be created)."""
    if value is not None:
        folder = value.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise click.BadParameter(f"the folder {folder} does not exist or cannot be written", param=param)
    return value


def load_survey(survey_id: int) -> Survey:
    """The survey with this id (the operator's scope holds every unit), or exit with a clear message; an id
    beyond what the database stores names no survey either."""
    try:
        return Scope.operator().find(Survey, survey_id)
    except Absent:
        raise click.ClickException(f"No survey with id {survey_id}.") from None
