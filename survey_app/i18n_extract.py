"""Babel extractor for the survey templates ``surveys/*.yaml``, so their text reaches the message catalog.

Registered as the ``babel.extractors`` entry point ``survey_templates`` and used by ``babel.cfg``. It
reads a file through the one template loader (``survey_templates``), so a broken template stops the
extraction with its file and line instead of silently dropping text.

Message ids are %-format strings everywhere in this project (Jinja's newstyle gettext formats every
message), so a literal ``%`` of a template ("90% trở lên") is written ``%%`` in the catalog;
``msgid()`` does that, and the ``tr`` template filter undoes it after the lookup.
"""
from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from .survey_templates import TEXTS, SurveyTemplate, load_template

__all__ = ["extract_survey_templates", "iter_messages", "msgid", "template_messages"]


def msgid(text: str) -> str:
    """Return the catalog id of a piece of survey text (``%`` doubled, as for any %-format message)."""
    return text.replace("%", "%%")


def iter_messages(template: SurveyTemplate) -> list[tuple[int, str, str]]:
    """List ``(line, text, translator comment)`` for every user-visible string of a template."""
    key, lines = template.key, template.lines
    found = [(lines.get(name, 0), getattr(template, name), f"i18n: {name} of template {key}")
             for name in TEXTS]
    found += [(lines.get(f"answer_options.{value}", 0), label, f"i18n: answer '{value}' in {key}")
              for value, label in template.answer_options.items()]
    parts = [(item, f"item {item.key}", ("criterion", "question")) for item in template.items]
    parts += [(rule, f"rule {rule.kind}", ("source", "note")) for rule in template.rules]
    for part, label, names in parts:
        found += [(part.lines.get(name, 0), getattr(part, name), f"i18n: {name} of {label} in {key}")
                  for name in names]
    return found


def template_messages(path: str | Path) -> list[tuple[int, str, str]]:
    """List ``(line, msgid, translator comment)`` for every user-visible string of one template file."""
    path = Path(path)
    template = load_template(path.stem, path.parent)
    return [(line, msgid(text), comment) for line, text, comment in iter_messages(template)]


def extract_survey_templates(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield Babel's ``(lineno, funcname, message, comments)`` for the survey template ``fileobj``."""
    for line, text, comment in template_messages(fileobj.name):
        yield line, None, text, [comment]
