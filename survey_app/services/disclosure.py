"""Small-number suppression: what the public may see of a survey's results without learning a household's choice.

A satisfaction rate over one or two phiếu is those households' answers. Public outputs (the posted notice)
therefore show, for a unit that returned fewer than ``SURVEY_PUBLIC_MIN_RESPONDENTS`` phiếu (default 5), how
many phiếu it returned but no rate and no counts of answers. Withholding those alone is not enough: the
survey's published total minus the published villages would give the withheld ones back. So whenever the
withheld units under a published total add up to fewer phiếu than the minimum, the smallest published
units next to them are withheld too (complementary suppression), until what subtraction reveals is either
nothing or a group of at least the minimum. The levels are the survey, its communes and their villages.

Staff and auditors in scope read the full results (results pages, downloads, the API): this module only
shapes the public copy.
"""
from __future__ import annotations

from collections.abc import Sequence

from flask import current_app

from ..config import Defaults
from ..ops.checks import whole_number

#: Fields of a rule that the public copy keeps: what the rule is and whether it is met, not the numbers
#: that decided it nor the units that fell short.
PUBLIC_RULE_FIELDS = ("kind", "threshold", "threshold_text", "subunit", "met", "source", "verified")
PUBLIC_COVERAGE_FIELDS = ("households", "respondents", "rate", "handed_out", "missing")
PUBLIC_UNIT_FIELDS = ("code", "name", "commune_code", "villages", "households", "respondents", "coverage",
                      "handed_out", "missing")
FIGURES = ("satisfied", "not_satisfied", "blank", "rate")


def public_minimum() -> int:
    """The configured minimum of phiếu per published figure; an unusable setting means the default."""
    minimum = whole_number(current_app.config.get("SURVEY_PUBLIC_MIN_RESPONDENTS"))
    if minimum is None or minimum < 1:
        current_app.logger.warning("SURVEY_PUBLIC_MIN_RESPONDENTS is not a whole number of at least 1: using %s",
                                   Defaults.SURVEY_PUBLIC_MIN_RESPONDENTS)
        return Defaults.SURVEY_PUBLIC_MIN_RESPONDENTS
    return minimum


def withheld(counts: Sequence[int], minimum: int) -> set[int]:
    """Indices of the units (phiếu counts under one published total) whose figures are withheld.

    Units with fewer phiếu than ``minimum`` (but some) are withheld; while the withheld ones add up to fewer
    than ``minimum``, the smallest remaining unit with phiếu joins them. A unit without phiếu has no figure
    to hide and is never counted.
    """
    hidden = {i for i, n in enumerate(counts) if 0 < n < minimum}
    rest = sorted((n, i) for i, n in enumerate(counts) if n >= minimum)
    total = sum(counts[i] for i in hidden)
    while hidden and total < minimum and rest:
        n, i = rest.pop(0)
        hidden.add(i)
        total += n
    return hidden


def _items(items: list[dict], suppressed: bool) -> list[dict]:
    rows = []
    for item in items:
        row = {"key": item["key"], "criterion": item.get("criterion", "")}
        row |= dict.fromkeys(FIGURES) if suppressed else {field: item[field] for field in FIGURES}
        rows.append(row)
    return rows


def _unit(unit: dict, suppressed: bool) -> dict:
    row = {field: unit[field] for field in PUBLIC_UNIT_FIELDS if field in unit}
    row["suppressed"] = suppressed
    row["items"] = _items(unit["items"], suppressed)
    return row


def _hidden_units(units: list[dict], minimum: int, everything: bool) -> set[int]:
    if everything:
        return {i for i, unit in enumerate(units) if unit["respondents"]}
    return withheld([unit["respondents"] for unit in units], minimum)


def public_version(publication, versions: Sequence) -> dict:
    """The public copy of one published version, suppressed against every other version of the survey
    (``versions``: ``snapshots.versions``), as the notice shows it."""
    from . import snapshots  # snapshots imports results and integrity; this module stays light to import

    earlier = [snapshots.published_document(p) for p in versions if p.version != publication.version]
    return public_document(snapshots.published_document(publication), public_minimum(), earlier)


def _figures(unit: dict) -> tuple:
    return unit["respondents"], tuple((i["key"], i["satisfied"], i["not_satisfied"], i["blank"])
                                      for i in unit["items"])


def _moved(unit: dict, key, earlier: Sequence[dict[object, dict]], minimum: int) -> bool:
    """Whether a unit's figures changed since an earlier public version by fewer than ``minimum`` phiếu: the
    difference of the two versions would then be those few households' answers."""
    for units in earlier:
        before = units.get(key)
        if before is not None and _figures(before) != _figures(unit) and \
                abs(before["respondents"] - unit["respondents"]) < minimum:
            return True
    return False


def _moved_units(document: dict, minimum: int, earlier: Sequence[dict]) -> tuple[set[int], set[str], bool]:
    """What changed by fewer than ``minimum`` phiếu since an earlier public version: the villages (by
    index), the communes (by code, with those of moved villages) and whether the survey's totals did."""
    moved_villages = {index for index, v in enumerate(document["villages"])
                      if _moved(v, (v["commune_code"], v["code"]),
                                [{(u["commune_code"], u["code"]): u for u in e["villages"]} for e in earlier],
                                minimum)}
    moved_communes = {c["code"] for c in document["communes"]
                      if _moved(c, c["code"], [{u["code"]: u for u in e["communes"]} for e in earlier], minimum)}
    moved_communes |= {document["villages"][i]["commune_code"] for i in moved_villages}
    survey_moved = bool(moved_communes) or _moved(
        {"respondents": document["coverage"]["respondents"], "items": document["items"]}, None,
        [{None: {"respondents": e["coverage"]["respondents"], "items": e["items"]}} for e in earlier], minimum)
    return moved_villages, moved_communes, survey_moved


def _hidden_villages(villages: list[dict], minimum: int, everything: bool, hidden_communes: set[str]) -> set[int]:
    """The villages (by index) withheld within their commune (all of a withheld commune's when needed)."""
    members: dict[str, list[int]] = {}
    for index, village in enumerate(villages):
        members.setdefault(village["commune_code"], []).append(index)
    hidden: set[int] = set()
    for code, indices in members.items():
        rows = [villages[i] for i in indices]
        hidden |= {indices[i] for i in _hidden_units(rows, minimum, everything or code in hidden_communes)}
    return hidden


def _overall(overall: dict | None, hidden: bool) -> dict | None:
    if overall is None:
        return None
    return {"item": overall["item"], "respondents": overall["respondents"],
            "satisfied": None if hidden else overall["satisfied"], "rate": None if hidden else overall["rate"]}


def public_document(document: dict, minimum: int, earlier: Sequence[dict] = ()) -> dict:
    """The public copy of a results document (``services.results.results_document``), figures withheld.

    Every unit row gains ``suppressed``; a withheld row keeps its households and phiếu counts and has
    ``None`` for each item's satisfied, not satisfied, blank and rate. ``items_suppressed`` says the
    survey as a whole returned fewer than ``minimum`` phiếu. The verdict and whether each rule is met stay:
    they are the survey's official conclusion. The document passed in is not changed.

    ``earlier``: the earlier published versions of the same survey, all public too. A unit whose figures
    changed since one of them by fewer than ``minimum`` phiếu (a late phiếu, a correction) is withheld, and so
    are the totals above it, or comparing the two notices would give those households' answers.
    """
    total = document["coverage"]["respondents"]
    everything = 0 < total < minimum
    communes = document["communes"]
    moved_villages, moved_communes, survey_moved = _moved_units(document, minimum, earlier)
    hidden_communes = {communes[i]["code"] for i in _hidden_units(communes, minimum, everything)} | moved_communes
    hidden_villages = _hidden_villages(document["villages"], minimum, everything, hidden_communes) | moved_villages
    survey_hidden = everything or survey_moved
    public = {key: document[key] for key in ("format", "survey", "generated_at", "verdict", "collecting_finished",
                                             "quorum_met") if key in document}
    overall = document.get("overall")
    public |= {
        "minimum": minimum,
        "items_suppressed": survey_hidden,
        #: Why: too few phiếu in all ("few"), or a change between public versions of too few ("versions").
        "items_suppressed_reason": "few" if everything else ("versions" if survey_moved else None),
        "coverage": {field: document["coverage"][field] for field in PUBLIC_COVERAGE_FIELDS},
        "overall": _overall(overall, survey_hidden),
        "items": [row | {"suppressed": survey_hidden} for row in _items(document["items"], survey_hidden)],
        "villages": [_unit(v, i in hidden_villages) for i, v in enumerate(document["villages"])],
        "communes": [_unit(c, c["code"] in hidden_communes) for c in communes],
        "rules": [{field: rule[field] for field in PUBLIC_RULE_FIELDS} for rule in document["rules"]],
    }
    public["any_suppressed"] = survey_hidden or any(
        row["suppressed"] for row in public["villages"] + public["communes"])
    return public
