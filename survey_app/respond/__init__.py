"""Resident pages: type a code, answer the phiếu, get a receipt."""
from flask import Blueprint

bp = Blueprint("respond", __name__, template_folder="templates")

from . import views  # noqa: E402,F401 - routes register on import
