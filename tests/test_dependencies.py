"""pyproject.toml's bounds and constraints.txt (the versions the suite passed with) agree."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REQUIREMENTS = [Requirement(text) for text in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=str)
def test_every_dependency_is_locked_within_its_bounds(requirement):
    pinned = _pins().get(canonicalize_name(requirement.name))
    assert pinned is not None, f"{requirement.name} is not in constraints.txt: run `make lock`"
    assert requirement.specifier.contains(pinned, prereleases=True), f"{requirement} excludes the locked {pinned}"


def test_wtforms_floor_has_select_choice():
    """staff/forms.py and respond/forms.py build choices with SelectChoice, which WTForms 3.3.0 introduced."""
    wtforms = next(r for r in REQUIREMENTS if r.name == "WTForms")
    assert "3.3.0" in wtforms.specifier and "3.2.1" not in wtforms.specifier


def test_make_install_uses_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "CONSTRAINTS ?= constraints.txt" in makefile and "-c $(CONSTRAINTS)" in makefile
