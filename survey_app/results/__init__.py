"""Results pages and downloads for auditors and staff in scope, API tokens, and the public notice."""
from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results", template_folder="templates")

from . import downloads, notice, tokens, views  # noqa: E402,F401 - routes register on import
