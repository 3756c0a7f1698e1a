"""``flask surveys list|check``: the survey templates of ``surveys/*.yaml``."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ..survey_templates import TemplateError, check_all, load_all, templates_dir

surveys = AppGroup("surveys", help="List and check the survey templates (surveys/*.yaml).")

_dir_option = click.option(
    "--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Templates folder (default: SURVEY_TEMPLATES_DIR, else surveys/).",
)


@surveys.command("list")
@_dir_option
def list_command(directory: Path | None) -> None:
    """Print one line per template: key, version, level, item count, title."""
    try:
        templates = load_all(directory)
    except TemplateError as exc:
        raise click.ClickException(f"{exc}\nRun `flask surveys check` to see every error.") from None
    for template in templates.values():
        click.echo(f"{template.key:<24} v{template.version:<3} {template.level:<9} "
                   f"{len(template.items):>2} items  {template.title}")


@surveys.command("check")
@_dir_option
def check_command(directory: Path | None) -> None:
    """Validate every template; print each error as file:line: message and exit 1 if there is any."""
    errors = check_all(directory)
    for error in errors:
        click.echo(str(error), err=True)
    if errors:
        files = len({error.path for error in errors})
        raise click.ClickException(f"{len(errors)} error(s) in {files} file(s).")
    templates = load_all(directory)
    items = sum(len(template.items) for template in templates.values())
    folder = directory if directory is not None else templates_dir()
    click.echo(f"{len(templates)} templates OK ({items} items) in {folder}.")
