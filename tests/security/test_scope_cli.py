"""The command line acts as the operator of the whole installation: every command that takes a survey id
finds the survey of any unit (own commune, neighbour, another province, a province) and answers alike, and
an id that names no survey (unknown, or beyond what the database stores) is refused in words, exit code 1."""
from __future__ import annotations

import click
import pytest

from .world import SURVEY_UNITS

#: Command path -> arguments ({sid}, {tmp}); those that change a survey's state come last.
CLI_COMMANDS = {
    ("results",): ["{sid}", "--format", "json", "--out", "{tmp}/results.json"],
    ("codes", "reprint"): ["{sid}", "--csv", "{tmp}/codes.csv"],
    ("paper", "print"): ["{sid}", "--village", "T02", "--out", "{tmp}/forms.pdf"],
    ("paper", "scan"): ["{sid}", "{tmp}/blank.png"],
    ("survey", "open"): ["{sid}"],  # already open: refused after the survey is found
    ("survey", "publish"): ["{sid}"],
    ("survey", "reopen"): ["{sid}", "--reason", "sửa phiếu giấy nhập sai"],
    ("survey", "delete"): ["{sid}", "--yes"],
    ("codes", "issue"): ["{sid}", "--spare", "0"],
    ("survey", "close"): ["{sid}"],
}
NOWHERE = ("999999", str(2**31), str(2**70))


def _commands_with_survey_id(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands_with_survey_id(command, (*prefix, name))
        elif any(param.name == "survey_id" for param in command.params):
            yield (*prefix, name)


def test_every_command_with_a_survey_id_is_in_the_matrix(app):
    assert set(_commands_with_survey_id(app.cli)) == set(CLI_COMMANDS)


@pytest.fixture
def blank_png(tmp_path):
    from PIL import Image

    Image.new("L", (200, 280), 255).save(tmp_path / "blank.png")
    return tmp_path


def test_the_operator_finds_the_survey_of_every_unit(app, world, blank_png):
    runner, wrong = app.test_cli_runner(), []
    for command, template in CLI_COMMANDS.items():
        codes = {}
        for unit in SURVEY_UNITS:
            sid = world.surveys[unit]["sid"]
            result = runner.invoke(args=[*command, *(a.format(sid=sid, tmp=blank_png) for a in template)])
            if "No survey with id" in result.output or not isinstance(result.exception, (SystemExit, type(None))):
                wrong.append(f"{' '.join(command)} {sid}: {result.output.strip()[-200:]} {result.exception!r}")
            codes[unit] = result.exit_code
        if len(set(codes.values())) != 1:
            wrong.append(f"{' '.join(command)}: exit codes differ by unit {codes}")
    assert not wrong, "\n".join(wrong)


def test_an_id_that_names_no_survey_is_refused_in_words(app, blank_png):
    runner, wrong = app.test_cli_runner(), []
    for command, template in CLI_COMMANDS.items():
        for sid in NOWHERE:
            result = runner.invoke(args=[*command, *(a.format(sid=sid, tmp=blank_png) for a in template)])
            if result.exit_code != 1 or f"No survey with id {sid}." not in result.output:
                wrong.append(f"{' '.join(command)} {sid}: {result.exit_code} {result.output!r} {result.exception!r}")
    assert not wrong, "\n".join(wrong)
