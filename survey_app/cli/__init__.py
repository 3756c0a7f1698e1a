"""The ``flask`` command groups, registered by the factory."""
from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    """Add every command group to the app's CLI."""
    from .audit import audit
    from .backup import backup
    from .codes import codes
    from .demo import demo
    from .keys import keys
    from .paper import paper
    from .privacy import privacy
    from .results import results
    from .survey import survey
    from .templates import surveys
    from .translate import translate
    from .units import units
    from .users import users

    for group in (audit, backup, codes, demo, keys, paper, privacy, results, survey, surveys, translate, units, users):
        app.cli.add_command(group)
