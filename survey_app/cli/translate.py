"""``flask translate extract|update|compile|status``: the Babel workflow of ``translations/``.

Vietnamese is the source language: message ids are Vietnamese, and the ``vi`` catalog repeats each id as
its translation (``update`` fills it). ``en`` is translated by hand: after ``update``, ``status --list``
prints what is left to translate.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
BABEL_CFG = ROOT / "babel.cfg"
SOURCE_LOCALE = "vi"
LOCALES = ("vi", "en")
#: Besides Babel's defaults (_, gettext, ngettext, pgettext...): the lazy forms of survey_app.i18n.
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2")
#: Folders never searched for messages (the patterns of babel.cfg already pick the files).
IGNORE_DIRS = (".*", "_*", "node_modules", "instance", "tests", "bench", "analysis", "translations")

translate = AppGroup("translate", help="Extract, update and compile the message catalogs (translations/).")


def pybabel(*args: str, quiet: bool = True) -> int:
    """Run a ``pybabel`` command from the repository root; return its exit status."""
    with contextlib.chdir(ROOT):
        return CommandLineInterface().run(["pybabel", *(["--quiet"] if quiet else []), *args]) or 0


def extract_pot(output: Path = POT) -> int:
    """Extract every message of the code, the Jinja templates and the survey templates into ``output``."""
    keywords = [f"--keyword={keyword}" for keyword in KEYWORDS]
    return pybabel(
        "extract", f"--mapping-file={BABEL_CFG}", *keywords, "--add-comments=i18n:", "--strip-comments",
        f"--ignore-dirs={' '.join(IGNORE_DIRS)}", "--sort-by-file", "--project=survey-app",
        f"--output-file={output}", ".",
    )


def po_path(locale: str, directory: Path = TRANSLATIONS) -> Path:
    """Return the path of the ``.po`` catalog of ``locale``."""
    return directory / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read a ``.po`` or ``.pot`` file."""
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def write_catalog(path: Path, catalog: Catalog) -> None:
    """Write a ``.po`` file the way ``pybabel update`` does."""
    with path.open("wb") as fileobj:
        write_po(fileobj, catalog, ignore_obsolete=True, width=76)


def fill_source_catalog(path: Path) -> int:
    """Make each message of the source-language catalog its own translation; return how many changed."""
    catalog = read_catalog(path, SOURCE_LOCALE)
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        wanted = (message.id[1],) * catalog.num_plurals if message.pluralizable else message.id
        if message.string != wanted or message.fuzzy:
            message.string = wanted
            message.flags.discard("fuzzy")
            changed += 1
    if changed:
        catalog.fuzzy = False
        write_catalog(path, catalog)
    return changed


def unfinished(catalog: Catalog) -> tuple[list[str], list[str]]:
    """Return the ids of the untranslated and of the fuzzy messages of a catalog."""
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        text = message.id[0] if message.pluralizable else message.id
        if message.fuzzy:
            fuzzy.append(text)
        elif not all(strings):
            untranslated.append(text)
    return untranslated, fuzzy


def compile_catalogs(directory: Path = TRANSLATIONS, *, stale_only: bool = False) -> list[Path]:
    """Compile every ``.po`` of ``directory`` to ``.mo`` atomically (safe while an app reads them).

    Fuzzy messages are left out, as by ``pybabel compile``; a format error raises ``ValueError``.
    Return the ``.mo`` files written.
    """
    written = []
    for locale in LOCALES:
        po = po_path(locale, directory)
        mo = po.with_suffix(".mo")
        if stale_only and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read_catalog(po, locale)
        errors = [f"{po}:{message.lineno}: {error}" for message, found in catalog.check() for error in found]
        if errors:
            raise ValueError("\n".join(errors))
        handle, tmp = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
        with os.fdopen(handle, "wb") as fileobj:
            write_mo(fileobj, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    if written:
        from ..extensions import babel

        domain = vars(babel).get("domain_instance")  # Flask-Babel's cached domain, once an app used it
        if domain is not None:
            domain.cache.clear()  # so the apps of this process load the new catalogs on next use
    return written


@translate.command("extract")
def extract_command() -> None:
    """Write translations/messages.pot from the code, the page templates and surveys/*.yaml."""
    if extract_pot():
        raise SystemExit(1)
    click.echo(f"{len(read_catalog(POT))} messages in {POT.relative_to(ROOT)}")


@translate.command("update")
@click.option("--no-extract", is_flag=True, help="Use the existing messages.pot as it is.")
def update_command(no_extract: bool) -> None:
    """Extract, merge messages.pot into the vi and en catalogs, and fill vi (the source language)."""
    if not no_extract and extract_pot():
        raise SystemExit(1)
    for locale in LOCALES:
        status = pybabel("update", f"--input-file={POT}", f"--output-dir={TRANSLATIONS}",
                         f"--locale={locale}", "--init-missing", "--ignore-obsolete", "--no-fuzzy-matching",
                         "--width=76")
        if status:
            raise SystemExit(status)
    fill_source_catalog(po_path(SOURCE_LOCALE))
    _report(list_missing=False)


@translate.command("compile")
def compile_command() -> None:
    """Compile the .po catalogs to .mo (fuzzy messages left out); exit 1 on any error."""
    status = pybabel("compile", f"--directory={TRANSLATIONS}", "--statistics", quiet=False)
    if status:
        raise SystemExit(status)


@translate.command("status")
@click.option("--list", "list_missing", is_flag=True, help="Print each untranslated or fuzzy message.")
def status_command(list_missing: bool) -> None:
    """Count the untranslated and fuzzy messages of each catalog; exit 1 if any is left."""
    if _report(list_missing):
        raise SystemExit(1)


def _report(list_missing: bool) -> int:
    left = 0
    for locale in LOCALES:
        catalog = read_catalog(po_path(locale), locale)
        untranslated, fuzzy = unfinished(catalog)
        left += len(untranslated) + len(fuzzy)
        click.echo(f"{locale}: {len(catalog)} messages, {len(untranslated)} untranslated, {len(fuzzy)} fuzzy")
        if list_missing:
            for label, texts in (("untranslated", untranslated), ("fuzzy", fuzzy)):
                for text in texts:
                    click.echo(f"  [{label}] {text}")
    return left
