"""NTM satisfaction survey platform: the application factory."""
from __future__ import annotations

from collections.abc import Mapping

from flask import Flask


def create_app(test_config: Mapping | None = None, instance_path: str | None = None) -> Flask:
    """Create and configure the application; no database work happens here.

    Missing key files are made here, at start-up, never while a request is served (survey_app/keys).
    ``instance_path`` (absolute) replaces the ``instance/`` folder beside the package.
    """
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    from . import keys
    from .config import load_config

    load_config(app, test_config)
    keys.init_app(app)
    configure_extensions(app)
    configure_blueprints(app)
    configure_cli(app)
    from .errors import register_error_handlers
    from .ops import configure_ops
    from .web import configure_web

    register_error_handlers(app)
    configure_web(app)
    configure_ops(app)
    return app


def configure_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from . import models, user_loader  # noqa: F401 - register the models and the user loader
    from .extensions import babel, csrf, db, limiter, login_manager, migrate
    from .web import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/../translations"),
    )
    login_manager.init_app(app)
    limiter.init_app(app)


def configure_blueprints(app: Flask) -> None:
    """Register one blueprint per area of the product."""
    from .api import bp as api_bp
    from .extensions import csrf
    from .ops import bp as ops_bp
    from .respond import bp as respond_bp
    from .results import bp as results_bp
    from .staff import bp as staff_bp

    csrf.exempt(api_bp)  # read-only, token-authenticated
    for blueprint in (respond_bp, staff_bp, results_bp, api_bp, ops_bp):
        app.register_blueprint(blueprint)


def configure_cli(app: Flask) -> None:
    """Register the ``flask`` command groups."""
    from .cli import register_commands

    register_commands(app)
