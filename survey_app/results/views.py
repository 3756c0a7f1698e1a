"""Results pages: the surveys in the user's scope, and one survey's results."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from ..exports import explain, labels
from ..exports.tables import item_names, unit_names
from ..extensions import db
from ..i18n import _
from ..scope import survey_for, surveys_in_scope
from ..services.integrity import integrity_indicators
from ..services.results import results_document
from ..web import translate_text
from . import bp
from .charts import bar_chart

DOWNLOADS = ("xlsx", "csv", "pdf", "json", "raw", "bundle")


@bp.get("/")
@login_required
def index():
    """List the surveys in the user's scope."""
    surveys = db.session.execute(surveys_in_scope(current_user)).scalars().all()
    return render_template("results/index.html", surveys=surveys, labels=labels)


def _threshold(document: dict, kind: str, subunit: str | None = None) -> str | None:
    return next((r["threshold_text"] for r in document["rules"]
                 if r["kind"] == kind and r.get("subunit") == subunit), None)


def _charts(document: dict) -> dict:
    """The item chart (against the per-item threshold) and the village coverage chart."""
    item_threshold = _threshold(document, "item_min")
    coverage_threshold = _threshold(document, "coverage_min")
    items = bar_chart(
        _("Tỷ lệ hài lòng theo từng nội dung"),
        [(f"{n}. {translate_text(i.get('criterion') or i['key'])}", i["satisfied"],
          i["satisfied"] + i["not_satisfied"] + i["blank"]) for n, i in enumerate(document["items"], 1)],
        item_threshold, _("ngưỡng từng nội dung") if item_threshold else "")
    villages = bar_chart(
        _("Tỷ lệ hộ tham gia theo thôn"),
        [(v["name"], v["respondents"], v["households"]) for v in document["villages"]],
        coverage_threshold, _("ngưỡng tỷ lệ tham gia") if coverage_threshold else "")
    return {"items": items, "villages": villages}


def _statistics(document: dict) -> list[str]:
    """The uncertainty sentences shown beside the verdict."""
    overall, coverage = document.get("overall"), document["coverage"]
    sentences = [explain.interval_sentence(overall, coverage["households"]), explain.exact_sentence(overall),
                 explain.nonresponse_sentence(overall, coverage["households"], coverage["respondents"]),
                 explain.threshold_sentence(overall), explain.stratified_sentence(overall)]
    return [s for s in sentences if s]


@bp.get("/<int:survey_id>")
@login_required
def survey(survey_id: int):
    """Show one survey's results: verdict, rules, items, villages, uncertainty and integrity indicators."""
    survey = survey_for(survey_id)
    document = results_document(survey)
    indicators = integrity_indicators(survey, document)
    units, items = unit_names(document), item_names(document)
    overall_key = (document.get("overall") or {}).get("item")
    return render_template(
        "results/survey.html", survey=survey, document=document, labels=labels, explain=explain,
        units=units, items=items, overall_key=overall_key, charts=_charts(document),
        statistics=_statistics(document), indicators=indicators, downloads=DOWNLOADS,
        several_communes=len(document["communes"]) > 1,
    )
