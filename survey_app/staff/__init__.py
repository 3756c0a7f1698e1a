"""Staff console: accounts, units, survey lifecycle, codes and slips, paper entry, coverage, audit log."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates", static_folder="static")

from . import (  # noqa: E402,F401 - routes register on import
    audit,
    auth,
    codes,
    coverage,
    drafts,
    meetings,
    paper,
    paper_forms,
    publication,
    scan_review,
    scan_transcribe,
    scans,
    surveys,
    units,
    users,
)
