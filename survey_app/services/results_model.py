"""The results document as typed models: the one description of ``flask results --format json``, the JSON
downloads, the API's results and survey listing, and the OpenAPI schema generated from them.

Every model forbids fields it does not name, so the data cannot carry what the schema does not describe.
Contract fields (product.md) are required; fields present only in a published document (``published``,
``integrity``, a village's ``receipt_fingerprints``) or only for some rule kinds (a rule's ``averaged_items``)
are optional and absent, never null, when unset.
Values are kept exactly as built: counts as integers, rates as floats, times as ISO 8601 text to the second.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, JsonValue, model_serializer
from pydantic.json_schema import SkipJsonSchema
from typing_extensions import TypedDict

from analysis.integrity import SEVERITIES
from analysis.rules import RULE_KINDS, SUBUNITS

from .results_statistics import (
    Bounds,
    Interval,
    Intervals,
    NonresponseBounds,
    Range,
    Stratified,
    ThresholdTest,
    Uncertainty,
)
from .results_types import CONFIG as _CONFIG
from .results_types import Count, Rate, Share, Timestamp
from .results_types import Model as _Model
from .results_types import optional as _optional

__all__ = [
    "Bounds", "Commune", "Coverage", "IntegrityIndicator", "Interval", "Intervals", "Item", "ListedSurvey",
    "NonresponseBounds", "Overall", "Published", "Range", "ResultsDocument", "Rule", "Shortfall", "Stratified",
    "Survey", "SurveyItem", "ThresholdTest", "Uncertainty", "Village",
]

Channels = dict[Literal["web", "paper", "meeting"], Count]


class Survey(_Model):
    """The survey the results are of."""

    id: Annotated[int, Field(ge=1)]
    title: str
    template_key: str
    template_version: int
    template_title: str
    legal_basis: str
    unit_code: str
    unit_name: str
    unit_level: Literal["commune", "province"]
    status: Literal["draft", "open", "closed", "published"]
    start_date: date
    end_date: date
    created_at: Timestamp | None
    opened_at: Timestamp | None
    closed_at: Timestamp | None
    published_at: Timestamp | None


class ListedSurvey(Survey):
    """A survey in the API's listing, with the address of its results."""

    results_url: str


# Items are typed dicts, not models: a province survey has tens of thousands of these rows, and pydantic
# validates a dict several times faster than it builds a model instance; the schema and the checks are the same.
class Item(TypedDict):
    """Answers to one item: satisfied, not satisfied, blank (không xác định); rate = satisfied / phiếu collected."""

    __pydantic_config__ = _CONFIG  # type: ignore[misc]

    key: str
    criterion: str
    satisfied: Count
    not_satisfied: Count
    blank: Count
    rate: Rate | None
    """Satisfied / phiếu collected (blanks included); null when there is no phiếu."""


class SurveyItem(Item):
    """One item over the whole survey, with its uncertainty over all households."""

    __pydantic_config__ = _CONFIG  # type: ignore[misc]

    nonresponse: NonresponseBounds | None
    """What the counts prove over all households (no assumption); null without phiếu."""
    interval: Bounds | None
    """Wilson interval with finite-population correction (assumes random response); null without phiếu."""


class Overall(_Model):
    """The overall satisfaction item over the whole survey."""

    item: str
    satisfied: Count
    respondents: Count
    rate: Rate | None
    intervals: Intervals | None
    stratified: Stratified | None
    uncertainty: Uncertainty | None
    """The figures beside the verdict in the order to read them, with what they assume; null without phiếu."""


class Coverage(_Model):
    """Households on the frame, phiếu counted, slips handed out, by channel."""

    households: Count
    respondents: Count
    rate: Share
    handed_out: Count
    missing: Count
    channels: Channels
    invalid: Count


class Village(_Model):
    """One village of the frame."""

    code: str
    name: str
    commune_code: str
    households: Count
    respondents: Count
    coverage: Share | None
    handed_out: Count
    missing: Count
    channels: Channels
    invalid: Count
    items: list[Item]
    receipt_fingerprints: list[Annotated[str, Field(pattern=r"^[0-9A-F]{16}$")]] | SkipJsonSchema[None] = _optional(
        "Published documents: the fingerprints of the receipts counted here (first 16 hex digits, upper case, of "
        "SHA-256 of the receipt as printed), sorted; as many as the village's respondents.")


class Commune(_Model):
    """The villages of one commune, summed (a province survey spans several)."""

    code: str
    name: str
    villages: Count
    households: Count
    respondents: Count
    coverage: Share | None
    handed_out: Count
    missing: Count
    items: list[Item]


class Shortfall(_Model):
    """One place where a rule failed."""

    unit: str | None
    item: str | None
    successes: Count
    trials: Count
    observed: Rate | None


class Rule(_Model):
    """A legal condition with the counts that decided it, its source and whether its threshold is verified."""

    kind: Literal[RULE_KINDS]
    threshold: Annotated[float, Field(ge=0, le=1)]
    threshold_text: str
    subunit: Literal[SUBUNITS] | None
    met: bool
    observed: Rate | None
    successes: Count
    trials: Count
    deciding_unit: str | None
    """Where the deciding (worst) counts are: a village or commune code, null for the whole survey."""
    deciding_item: str | None
    """Which item the deciding counts are of; null for a coverage rule, a pooled overall rate or an average."""
    averaged_items: list[str] | SkipJsonSchema[None] = _optional(
        "Average rules (items_average_min, subunit_average_min): the keys of the items whose rates are averaged. "
        "Their deciding counts are the satisfied answers to those items over their answers (items × phiếu "
        "collected), whose ratio is the mean of the items' rates.")
    failing_units: list[str]
    failing_items: list[str]
    shortfall_count: Count
    shortfalls: list[Shortfall]
    """The first shortfalls (``shortfall_count`` says how many there are)."""
    source: str
    verified: bool
    note: str


class Published(_Model):
    """Which publication a published document is."""

    version: Annotated[int, Field(ge=1)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    """SHA-256 of the publication's stored canonical bytes (the document without this object)."""
    at: Timestamp
    reason: str


class IntegrityIndicator(_Model):
    """An integrity indicator frozen by a publication."""

    kind: str
    severity: Literal[SEVERITIES]
    subject: str | None
    evidence: dict[str, JsonValue]


class ResultsDocument(_Model):
    """The results of one survey: the same document as ``flask results SURVEY_ID --format json``."""

    published: Published | SkipJsonSchema[None] = _optional("Present once the results are published.")
    format: Annotated[int, Field(ge=1)]
    survey: Survey
    generated_at: Timestamp
    verdict: Literal["met", "not_met", "incomplete"]
    collecting_finished: bool
    quorum_met: bool
    coverage: Coverage
    overall: Overall | None
    items: list[SurveyItem]
    villages: list[Village]
    communes: list[Commune]
    rules: list[Rule]
    integrity: list[IntegrityIndicator] | SkipJsonSchema[None] = _optional(
        "Published documents: the integrity indicators frozen with the publication.")

    @model_serializer(mode="wrap")
    def _leave_out_unset(self, handler):
        """Leave out the optional fields that are not set (absent, not null), here and in every village: one
        pass at the top rather than a serializer per village."""
        data = handler(self)
        for name in ("published", "integrity"):
            if data.get(name) is None:
                data.pop(name, None)
        for village in data.get("villages", ()):
            if village.get("receipt_fingerprints") is None:
                village.pop("receipt_fingerprints", None)
        for rule in data.get("rules", ()):
            if rule.get("averaged_items") is None:
                rule.pop("averaged_items", None)
        return data
