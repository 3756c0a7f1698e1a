"""Staff console: accounts, units, survey lifecycle, codes and slips, paper entry, coverage, audit log."""
from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")
