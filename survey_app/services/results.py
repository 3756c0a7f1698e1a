"""The results document of a survey: the contract of ``flask results --format json`` and the API.

Contract fields (product.md): ``verdict``; ``coverage`` {households, respondents, rate}; ``items``
[{key, satisfied, not_satisfied, blank, rate}]; ``villages`` [{code, households, respondents, items}];
``rules`` [{kind, threshold, met, source, verified}]. Everything else is additional and may grow.
"""
from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

import analysis
from analysis import ItemCounts, Rule
from analysis.tally import pooled_items

from ..extensions import db
from ..models import Commune, Province, Survey, SurveyStatus
from ..models._types import utcnow
from .tally import Tallies, compute_tallies

FORMAT_VERSION = 1
#: Shortfalls listed per rule in the document (the count is always complete).
MAX_SHORTFALLS = 50


def _rate(value: Fraction | float | None) -> float | None:
    return None if value is None else float(value)


def _share(part: int, whole: int) -> float | None:
    return float(Fraction(part, whole)) if whole else None


def _items(items: dict[str, ItemCounts], template_items: list[dict]) -> list[dict]:
    return [
        {
            "key": item["key"],
            "criterion": item.get("criterion", ""),
            "satisfied": items[item["key"]].satisfied,
            "not_satisfied": items[item["key"]].not_satisfied,
            "blank": items[item["key"]].blank,
            "rate": _rate(items[item["key"]].rate),
        }
        for item in template_items
    ]


def _item_uncertainty(counts: ItemCounts, households: int) -> dict:
    """Wilson-FPC interval and non-response bounds of one item over all households."""
    x, n = counts.satisfied, counts.collected
    if n == 0 or households < n:
        return {"interval": None, "nonresponse": None}
    interval = analysis.proportion_interval(x, n, method="wilson", population=households)
    bounds = analysis.nonresponse_bounds(x, n, households)
    return {"interval": {"low": interval.low, "high": interval.high},
            "nonresponse": {"worst": bounds.worst, "best": bounds.best}}


def _interval(successes: int, trials: int, population: int, threshold: Fraction | None) -> dict | None:
    """Intervals shown beside the verdict: Wilson with FPC and the exact hypergeometric one."""
    if trials == 0 or population < trials:
        return None
    fpc = analysis.proportion_interval(successes, trials, method="wilson", population=population)
    exact = analysis.proportion_interval(successes, trials, method="exact", population=population)
    bounds = analysis.nonresponse_bounds(successes, trials, population)
    test = None
    if threshold is not None and 0 < threshold <= 1:
        test = {"threshold": float(threshold),
                "p_value": analysis.threshold_test(successes, trials, population, threshold).p_value}
    return {
        "confidence": 0.95,
        "wilson_fpc": {"low": fpc.low, "high": fpc.high},
        "hypergeometric": {"low": exact.low, "high": exact.high},
        "nonresponse": {"worst": bounds.worst, "best": bounds.best},
        "threshold_test": test,
    }


def rules_of(survey: Survey) -> list[Rule]:
    """The survey's rules as analysis objects."""
    return [
        Rule(kind=r["kind"], threshold=str(r["threshold"]), source=r.get("source", ""),
             verified=bool(r.get("verified")), subunit=r.get("subunit"), note=r.get("note", ""))
        for r in survey.rules
    ]


def collecting_finished(survey: Survey) -> bool:
    """Collection is finished once the survey is closed or published, or its window is over."""
    return survey.status in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED) or survey.window_state() == "closed"


def evaluate(survey: Survey, tallies: Tallies) -> analysis.Verdict:
    """Decide the verdict of the survey's rules on its tallies."""
    return analysis.evaluate(rules_of(survey), tallies.tally, collecting_finished=collecting_finished(survey))


def _locate(rule: dict, document: dict) -> tuple[str | None, str | None]:
    """Find where a rule's deciding (worst) numbers come from: (sub-unit code, item key)."""
    wanted = (rule["successes"], rule["trials"])
    units = {"village": document["villages"], "commune": document["communes"], None: [None]}[rule["subunit"]]
    for unit in units:
        if rule["kind"] == "coverage_min":
            if unit is not None and (unit["respondents"], unit["households"]) == wanted:
                return unit["code"], None
            continue
        if rule["kind"] == "overall_min":
            return None, document["overall"]["item"] if document["overall"] else None
        for item in (unit or document)["items"]:
            if (item["satisfied"], item["satisfied"] + item["not_satisfied"] + item["blank"]) == wanted:
                return (unit["code"] if unit else None), item["key"]
    return None, None


def _rule_json(result: analysis.RuleResult) -> dict:
    rule = result.rule
    return {
        "kind": rule.kind,
        "threshold": float(rule.value),
        "threshold_text": rule.threshold,
        "subunit": rule.subunit,
        "met": result.met,
        "observed": _rate(result.observed),
        "successes": result.successes,
        "trials": result.trials,
        "deciding_unit": None,
        "deciding_item": None,
        "failing_units": list(result.failing_units),
        "failing_items": list(result.failing_items),
        "shortfall_count": len(result.shortfalls),
        "shortfalls": [
            {"unit": s.unit, "item": s.item, "successes": s.successes, "trials": s.trials,
             "observed": _rate(s.observed)}
            for s in result.shortfalls[:MAX_SHORTFALLS]
        ],
        "source": rule.source,
        "verified": rule.verified,
        "note": rule.note,
    }


def _unit_name(survey: Survey) -> str:
    model = Commune if survey.unit_level == "commune" else Province
    unit = db.session.get(model, survey.unit_code)
    return unit.full_name if unit else survey.unit_code


def _iso(value) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _survey_json(survey: Survey) -> dict:
    return {
        "id": survey.id,
        "title": survey.title,
        "template_key": survey.template_key,
        "template_version": survey.template_version,
        "template_title": survey.template.get("title", ""),
        "legal_basis": survey.template.get("legal_basis", ""),
        "unit_code": survey.unit_code,
        "unit_name": _unit_name(survey),
        "unit_level": survey.unit_level,
        "status": survey.status.value,
        "start_date": survey.start_date.isoformat(),
        "end_date": survey.end_date.isoformat(),
        "created_at": _iso(survey.created_at),
        "opened_at": _iso(survey.opened_at),
        "closed_at": _iso(survey.closed_at),
        "published_at": _iso(survey.published_at),
    }


def _group_json(code: str, name: str, units: Iterable[analysis.UnitTally], handed_out: int,
                tally: analysis.SurveyTally, template_items: list[dict]) -> dict:
    units = list(units)
    households = sum(u.households for u in units)
    respondents = sum(u.respondents for u in units)
    return {
        "code": code,
        "name": name,
        "villages": len(units),
        "households": households,
        "respondents": respondents,
        "coverage": _share(respondents, households),
        "handed_out": handed_out,
        "missing": max(0, handed_out - respondents),
        "items": _items(pooled_items(units, tally.item_keys), template_items),
    }


def _communes(tallies: Tallies, template_items: list[dict]) -> list[dict]:
    """The same tables summed per commune (a province survey spans several)."""
    tally = tallies.tally
    groups: dict[str, list[int]] = {}
    for index, info in enumerate(tallies.villages):
        groups.setdefault(info.commune_code, []).append(index)
    return [
        _group_json(code, tallies.commune_names.get(code, code), (tally.units[i] for i in indices),
                    sum(tallies.handed_out.get(tallies.villages[i].frame_id, 0) for i in indices),
                    tally, template_items)
        for code, indices in groups.items()
    ]


def _overall(tallies: Tallies, verdict: analysis.Verdict, pooled: dict[str, ItemCounts]) -> dict | None:
    tally = tallies.tally
    key = tally.overall_item
    if not key:
        return None
    counts = pooled[key]
    threshold = next((r.rule.value for r in verdict.rules if r.rule.kind == "overall_min"), None)
    strata = [(u.households, u.respondents, u.items[key].satisfied) for u in tally.units
              if u.households >= u.respondents]
    stratified = analysis.stratified_proportion(strata) if any(s[1] for s in strata) else None
    return {
        "item": key,
        "satisfied": counts.satisfied,
        "respondents": counts.collected,
        "rate": _rate(counts.rate),
        "intervals": _interval(counts.satisfied, counts.collected, tally.households, threshold),
        "stratified": None if stratified is None else {
            "estimate": stratified.estimate, "standard_error": stratified.standard_error,
            "low": stratified.low, "high": stratified.high,
            "degrees_of_freedom": stratified.degrees_of_freedom,
            "design_effect": stratified.design_effect, "interval_method": stratified.interval_method,
            "unestimable_villages": len(stratified.unestimable_strata),
            "variance_complete": stratified.variance_complete,
        },
    }


def results_document(survey: Survey, tallies: Tallies | None = None) -> dict:
    """Build the results document (plain JSON types; rates in [0, 1] or null, counts as integers)."""
    tallies = tallies or compute_tallies(survey)
    tally = tallies.tally
    template_items = survey.template["items"]
    verdict = evaluate(survey, tallies)
    pooled = pooled_items(tally.units, tally.item_keys)
    villages = []
    for info, unit in zip(tallies.villages, tally.units, strict=True):
        handed_out = tallies.handed_out.get(info.frame_id, 0)
        villages.append({
            "code": info.code,
            "name": info.name,
            "commune_code": info.commune_code,
            "households": unit.households,
            "respondents": unit.respondents,
            "coverage": _share(unit.respondents, unit.households),
            "handed_out": handed_out,
            "missing": max(0, handed_out - unit.respondents),
            "channels": tallies.channels_by_village.get(info.frame_id, {}),
            "invalid": tallies.invalid.get(info.frame_id, 0),
            "items": _items(dict(unit.items), template_items),
        })
    handed_out = sum(tallies.handed_out.values())
    items = _items(pooled, template_items)
    for row in items:
        row.update(_item_uncertainty(pooled[row["key"]], tally.households))
    document = {
        "format": FORMAT_VERSION,
        "survey": _survey_json(survey),
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "verdict": verdict.status,
        "collecting_finished": verdict.collecting_finished,
        "quorum_met": verdict.quorum_met,
        "coverage": {
            "households": tally.households,
            "respondents": tally.respondents,
            "rate": _share(tally.respondents, tally.households) or 0.0,
            "handed_out": handed_out,
            "missing": max(0, handed_out - tally.respondents),
            "channels": tallies.channels,
            "invalid": sum(tallies.invalid.values()),
        },
        "overall": _overall(tallies, verdict, pooled),
        "items": items,
        "villages": villages,
        "communes": _communes(tallies, template_items),
        "rules": [_rule_json(r) for r in verdict.rules],
    }
    for rule in document["rules"]:
        rule["deciding_unit"], rule["deciding_item"] = _locate(rule, document)
    return document
