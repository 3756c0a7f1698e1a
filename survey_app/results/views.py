"""Results pages: the surveys in the user's scope, and one survey's results."""
from __future__ import annotations

from flask import render_template, request
from flask_login import login_required
from markupsafe import Markup

from ..exports import explain, labels, uncertainty
from ..exports.tables import item_names, item_tags, not_answered, unit_names
from ..extensions import db
from ..i18n import _
from ..scope import current_scope, survey_for
from ..services import snapshots
from . import bp, fragments
from .charts import bar_chart

DOWNLOADS = ("xlsx", "csv", "pdf", "json", "raw", "bundle")
#: Above this many villages the page lists one commune's villages at a time (all are in the downloads).
MAX_VILLAGES_SHOWN = 200
#: Above this many bars a chart is left out: the table beside it says the same.
MAX_BARS = 60


@bp.get("/")
@login_required
def index():
    """List the surveys in the user's scope."""
    surveys = db.session.execute(current_scope().surveys()).scalars().all()
    return render_template("results/index.html", surveys=surveys, labels=labels)


def _threshold(document: dict, kind: str, subunit: str | None = None) -> str | None:
    return next((r["threshold_text"] for r in document["rules"]
                 if r["kind"] == kind and r.get("subunit") == subunit), None)


def _charts(document: dict, villages: list[dict]) -> dict:
    """The item chart (against the per-item threshold) and the coverage chart of villages or communes."""
    item_threshold = _threshold(document, "item_min")
    names = item_names(document)
    coverage_threshold = _threshold(document, "coverage_min")
    charts = {"items": bar_chart(
        _("Tỷ lệ hài lòng theo từng nội dung"),
        [(names[i["key"]], i["satisfied"], i["satisfied"] + i["not_satisfied"] + i["blank"])
         for i in document["items"]],
        item_threshold, _("ngưỡng từng nội dung") if item_threshold else "")}
    units, title = villages, _("Tỷ lệ hộ tham gia theo thôn")
    if len(document["communes"]) > 1 and len(villages) != len(document["villages"]):
        units, title = document["communes"], _("Tỷ lệ hộ tham gia theo xã")
    if 0 < len(units) <= MAX_BARS:
        charts["coverage"] = bar_chart(title, [(u["name"], u["respondents"], u["households"]) for u in units],
                                       coverage_threshold,
                                       _("ngưỡng tỷ lệ tham gia") if coverage_threshold else "")
    return charts


def _villages_shown(document: dict, commune: str | None) -> list[dict]:
    """Every village, or one commune's when there are too many to list at once."""
    if commune:
        return [v for v in document["villages"] if v["commune_code"] == commune]
    return document["villages"] if len(document["villages"]) <= MAX_VILLAGES_SHOWN else []


def _statistics(document: dict) -> uncertainty.Uncertainty | None:
    """The uncertainty beside the verdict: the non-response bounds, the assumption, the model-based figures."""
    coverage = document["coverage"]
    return uncertainty.uncertainty(document.get("overall"), coverage["households"], coverage["respondents"])


@bp.get("/<int:survey_id>")
@login_required
def survey(survey_id: int):
    """Show one survey's results: verdict, rules, items, villages, uncertainty and integrity indicators.

    Published results are rendered once per publication (``fragments``); live ones at every view."""
    survey = survey_for(survey_id)
    document, indicators, publication = snapshots.document_for(survey)
    commune = request.args.get("xa") or None
    publications = snapshots.versions(survey) if publication else []

    def render() -> str:
        units, items = unit_names(document), item_names(document)
        villages = _villages_shown(document, commune)
        return render_template(
            "results/_survey_body.html", survey=survey, document=document, labels=labels, explain=explain,
            units=units, items=items, tags=item_tags(document), not_answered=not_answered,
            charts=_charts(document, villages), statistics=_statistics(document),
            indicators=indicators, downloads=DOWNLOADS, several_communes=len(document["communes"]) > 1,
            villages=villages, commune=commune, publication=publication, publications=publications)

    if publication is None:
        body = Markup(render())  # noqa: S704 (rendered by Jinja with autoescape)
    else:
        body = fragments.rendered(("results", survey.id, survey.status.value, survey.title, survey.start_date,
                                   survey.end_date, tuple(p.id for p in publications), commune), render)
    return render_template("results/survey.html", survey=survey, body=body)
