"""The one place translation functions come from."""
from flask_babel import gettext, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .i18n_extract import msgid

__all__ = ["N_", "_", "_l", "ngettext", "translate_text"]


def N_(text: str) -> str:  # noqa: N802 - the name Babel's extractor looks for
    """Mark text for the catalog and return it untranslated: for text stored in Vietnamese (the results
    document) and translated where it is shown."""
    return text


def translate_text(text: str | None) -> str:
    """Show a survey template's text in the user's language: its catalog entry, else the text itself.

    A survey keeps a snapshot of its template, so text changed in ``surveys/`` since then is simply
    shown in Vietnamese.
    """
    if not text:
        return text or ""
    return gettext(msgid(text)).replace("%%", "%")
