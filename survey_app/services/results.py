"""The results document of a survey: the contract of ``flask results --format json`` and the API.

Contract fields (product.md): ``verdict``; ``coverage`` {households, respondents, rate}; ``items``
[{key, satisfied, not_satisfied, blank, rate}]; ``villages`` [{code, households, respondents, items}];
``rules`` [{kind, threshold, met, source, verified}]. Everything else is additional and may grow.
The document's shape is ``results_model.ResultsDocument``; it is built here and only here.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import analysis
from analysis import ItemCounts, Rule
from analysis.tally import pooled_items

from ..extensions import db
from ..models import Commune, Province, Survey, SurveyStatus
from ..models._types import utcnow
from ..survey_templates import TemplateItem
from . import results_model as m
from .results_uncertainty import intervals, uncertainty
from .tally import Tallies, compute_tallies

FORMAT_VERSION = 1
#: Shortfalls listed per rule in the document (the count is always complete).
MAX_SHORTFALLS = 50


def _rate(value: Fraction | float | None) -> float | None:
    return None if value is None else float(value)


def _share(part: int, whole: int) -> float | None:
    return float(Fraction(part, whole)) if whole else None


def _item(key: str, template_item: TemplateItem, counts: ItemCounts) -> m.Item:
    return m.Item(key=key, criterion=template_item.criterion, satisfied=counts.satisfied,
                  not_satisfied=counts.not_satisfied, blank=counts.blank, rate=_rate(counts.rate))


def _items(items: dict[str, ItemCounts], template_items: Sequence[TemplateItem]) -> list[m.Item]:
    """One row per template item (validated by the model of the unit that holds them)."""
    return [_item(item.key, item, items[item.key]) for item in template_items]


def _survey_items(items: dict[str, ItemCounts], template_items: Sequence[TemplateItem],
                  households: int) -> list[m.SurveyItem]:
    """The items over the whole survey, each with its Wilson-FPC interval and non-response bounds."""
    rows = []
    for item in template_items:
        counts = items[item.key]
        x, n = counts.satisfied, counts.collected
        interval = nonresponse = None
        if n and households >= n:
            fpc = analysis.proportion_interval(x, n, method="wilson", population=households)
            bounds = analysis.nonresponse_bounds(x, n, households)
            interval = m.Bounds(low=fpc.low, high=fpc.high)
            nonresponse = m.NonresponseBounds(worst=bounds.worst, best=bounds.best)
        rows.append(m.SurveyItem(**_item(item.key, item, counts), nonresponse=nonresponse, interval=interval))
    return rows


def rules_of(survey: Survey) -> list[Rule]:
    """The survey's rules as analysis objects."""
    return [
        Rule(kind=r["kind"], threshold=str(r["threshold"]), source=r.get("source", ""),
             verified=bool(r.get("verified")), subunit=r.get("subunit"), note=r.get("note", ""),
             items=r.get("items"))
        for r in survey.rules
    ]


def collecting_finished(survey: Survey) -> bool:
    """Collection is finished once the survey is closed or published, or its window is over."""
    return survey.status in (SurveyStatus.CLOSED, SurveyStatus.PUBLISHED) or survey.window_state() == "closed"


def evaluate(survey: Survey, tallies: Tallies) -> analysis.Verdict:
    """Decide the verdict of the survey's rules on its tallies."""
    return analysis.evaluate(rules_of(survey), tallies.tally, collecting_finished=collecting_finished(survey))


def _rule(result: analysis.RuleResult) -> m.Rule:
    rule = result.rule
    return m.Rule(
        kind=rule.kind,
        threshold=float(rule.value),
        threshold_text=rule.threshold,
        subunit=rule.subunit,
        met=result.met,
        observed=_rate(result.observed),
        successes=result.successes,
        trials=result.trials,
        deciding_unit=result.deciding_unit,
        deciding_item=result.deciding_item,
        averaged_items=list(result.averaged_items) or None,
        failing_units=list(result.failing_units),
        failing_items=list(result.failing_items),
        shortfall_count=len(result.shortfalls),
        shortfalls=[
            m.Shortfall(unit=s.unit, item=s.item, successes=s.successes, trials=s.trials, observed=_rate(s.observed))
            for s in result.shortfalls[:MAX_SHORTFALLS]
        ],
        source=rule.source,
        verified=rule.verified,
        note=rule.note,
    )


def _unit_name(survey: Survey) -> str:
    model = Commune if survey.unit_level == "commune" else Province
    unit = db.session.get(model, survey.unit_code)
    return unit.full_name if unit else survey.unit_code


def survey_fields(survey: Survey) -> dict:
    """What the results document and the API's listing say of a survey (``results_model.Survey``'s fields)."""
    return {
        "id": survey.id,
        "title": survey.title,
        "template_key": survey.template_key,
        "template_version": survey.template_version,
        "template_title": survey.form.title,
        "legal_basis": survey.form.legal_basis,
        "unit_code": survey.unit_code,
        "unit_name": _unit_name(survey),
        "unit_level": survey.unit_level,
        "status": survey.status.value,
        "start_date": survey.start_date,
        "end_date": survey.end_date,
        "created_at": survey.created_at,
        "opened_at": survey.opened_at,
        "closed_at": survey.closed_at,
        "published_at": survey.published_at,
    }


def _commune(code: str, name: str, units: Iterable[analysis.UnitTally], handed_out: int,
             tally: analysis.SurveyTally, template_items: Sequence[TemplateItem]) -> m.Commune:
    units = list(units)
    households = sum(u.households for u in units)
    respondents = sum(u.respondents for u in units)
    return m.Commune(
        code=code,
        name=name,
        villages=len(units),
        households=households,
        respondents=respondents,
        coverage=_share(respondents, households),
        handed_out=handed_out,
        missing=max(0, handed_out - respondents),
        items=_items(pooled_items(units, tally.item_keys), template_items),
    )


def _communes(tallies: Tallies, template_items: Sequence[TemplateItem]) -> list[m.Commune]:
    """The same tables summed per commune (a province survey spans several)."""
    tally = tallies.tally
    groups: dict[str, list[int]] = {}
    for index, info in enumerate(tallies.villages):
        groups.setdefault(info.commune_code, []).append(index)
    return [
        _commune(code, tallies.commune_names.get(code, code), (tally.units[i] for i in indices),
                 sum(tallies.handed_out.get(tallies.villages[i].frame_id, 0) for i in indices),
                 tally, template_items)
        for code, indices in groups.items()
    ]


def _villages(tallies: Tallies, template_items: Sequence[TemplateItem]) -> list[m.Village]:
    villages = []
    for info, unit in zip(tallies.villages, tallies.tally.units, strict=True):
        handed_out = tallies.handed_out.get(info.frame_id, 0)
        villages.append(m.Village(
            code=info.code,
            name=info.name,
            commune_code=info.commune_code,
            households=unit.households,
            respondents=unit.respondents,
            coverage=_share(unit.respondents, unit.households),
            handed_out=handed_out,
            missing=max(0, handed_out - unit.respondents),
            channels=tallies.channels_by_village.get(info.frame_id, {}),
            invalid=tallies.invalid.get(info.frame_id, 0),
            items=_items(dict(unit.items), template_items),
        ))
    return villages


def _overall(tallies: Tallies, verdict: analysis.Verdict, pooled: dict[str, ItemCounts]) -> m.Overall | None:
    tally = tallies.tally
    key = tally.overall_item
    if not key:
        return None
    counts = pooled[key]
    threshold = next((r.rule.value for r in verdict.rules if r.rule.kind == "overall_min"), None)
    strata = [(u.households, u.respondents, u.items[key].satisfied) for u in tally.units
              if u.households >= u.respondents]
    estimated = analysis.stratified_proportion(strata) if any(s[1] for s in strata) else None
    stratified = None if estimated is None else m.Stratified(
        estimate=estimated.estimate, standard_error=estimated.standard_error, low=estimated.low,
        high=estimated.high, degrees_of_freedom=estimated.degrees_of_freedom, design_effect=estimated.design_effect,
        interval_method=estimated.interval_method, unestimable_villages=len(estimated.unestimable_strata),
        variance_complete=estimated.variance_complete,
    )
    found = intervals(counts.satisfied, counts.collected, tally.households, threshold)
    return m.Overall(
        item=key,
        satisfied=counts.satisfied,
        respondents=counts.collected,
        rate=_rate(counts.rate),
        intervals=found,
        stratified=stratified,
        uncertainty=uncertainty(found, stratified, tally.respondents, tally.households),
    )


def results_model(survey: Survey, tallies: Tallies | None = None) -> m.ResultsDocument:
    """Build the results document of a survey from its tallies (computed when not given)."""
    tallies = tallies or compute_tallies(survey)
    tally = tallies.tally
    template_items = survey.form.items
    verdict = evaluate(survey, tallies)
    pooled = pooled_items(tally.units, tally.item_keys)
    handed_out = sum(tallies.handed_out.values())
    return m.ResultsDocument(
        format=FORMAT_VERSION,
        survey=m.Survey(**survey_fields(survey)),
        generated_at=utcnow(),
        verdict=verdict.status,
        collecting_finished=verdict.collecting_finished,
        quorum_met=verdict.quorum_met,
        coverage=m.Coverage(
            households=tally.households,
            respondents=tally.respondents,
            rate=_share(tally.respondents, tally.households) or 0.0,
            handed_out=handed_out,
            missing=max(0, handed_out - tally.respondents),
            channels=tallies.channels,
            invalid=sum(tallies.invalid.values()),
        ),
        overall=_overall(tallies, verdict, pooled),
        items=_survey_items(pooled, template_items, tally.households),
        villages=_villages(tallies, template_items),
        communes=_communes(tallies, template_items),
        rules=[_rule(r) for r in verdict.rules],
    )


def results_document(survey: Survey, tallies: Tallies | None = None) -> dict:
    """The results document as plain JSON types (rates in [0, 1] or null, counts as integers, times as
    ISO 8601 text): what pages, downloads, the API and publication snapshots read."""
    return results_model(survey, tallies).model_dump(mode="json")
