"""The results document as typed tables with Vietnamese headers, shared by the CSV, XLSX and PDF exports."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..formatting import date, datetime, percent, percent_plain, rate_cut, zone_name
from ..i18n import _, translate_text
from . import labels


@dataclass(frozen=True)
class Rate:
    """A rate cell: kept exact, shown truncated (never rounded up across a threshold)."""

    value: Fraction | None

    @classmethod
    def of(cls, part: int, whole: int) -> Rate:
        """The rate part / whole, or an empty cell when whole is 0."""
        return cls(Fraction(part, whole) if whole else None)

    @classmethod
    def from_float(cls, value: float | None) -> Rate:
        """A rate known only as a float (interval limits), read as the decimal it prints as, as pages read it."""
        return cls(None if value is None else Fraction(repr(value)))

    def truncated(self, digits: int = 4) -> Decimal | None:
        """The rate cut to ``digits`` decimals: 0.9319 for 93.19 %."""
        return rate_cut(self.value, digits)

    def percent_text(self) -> str:
        """The rate as a plain percentage with two decimals and a dot, e.g. ``93.19``."""
        return percent_plain(self.value)

    def __str__(self) -> str:
        return percent(self.value)


def _collected(item: Mapping) -> int:
    return item["satisfied"] + item["not_satisfied"] + item["blank"]


#: A criterion that carries its own number: "Tiêu chí 1: Quy hoạch", "Nội dung 2: …", "Tiêu chí 7 và 8: …"
#: (and their English translations, "Criterion 1: …").
OWN_NUMBER = re.compile(r"^\s*((?:tiêu chí|nội dung|câu(?: hỏi)?|chỉ tiêu|criteria|criterion|item|question)?\s*"
                        r"\d+(?:\s*(?:và|and|,|-|–|&)\s*\d+)*)\s*[:.)]", re.IGNORECASE)


def _numbered_by_the_form(items: Sequence[Mapping]) -> bool:
    return any(OWN_NUMBER.match(item.get("criterion") or "") for item in items)


def item_names(document: Mapping) -> dict[str, str]:
    """Item key → its name as every page and file shows it, numbered once, in the form's order: as the form
    numbers its criteria ("Tiêu chí 1: Quy hoạch"), or by place ("1. Quy hoạch") when none carries a number."""
    items = document["items"]
    own = _numbered_by_the_form(items)
    names = {}
    for number, item in enumerate(items, 1):
        name = translate_text(item.get("criterion") or item["key"])
        names[item["key"]] = name if own else f"{number}. {name}"
    return names


def item_tags(document: Mapping) -> dict[str, str]:
    """Item key → the number ``item_names`` shows, for a column header: "Tiêu chí 1" or "1" (an item the form
    leaves unnumbered among numbered ones, like "Đánh giá chung", by its name)."""
    names = item_names(document)
    if not _numbered_by_the_form(document["items"]):
        return {key: str(number) for number, key in enumerate(names, 1)}
    tags = {}
    for key, name in names.items():
        match = OWN_NUMBER.match(name)
        tags[key] = match.group(1).strip() if match else name
    return tags


def unit_names(document: Mapping) -> dict[str, str]:
    """Codes used by rules and indicators (villages, communes) → names."""
    province = document["survey"]["unit_level"] == "province"
    names = {c["code"]: c["name"] for c in document.get("communes", [])}
    for village in document["villages"]:
        key = f"{village['commune_code']}/{village['code']}" if province else village["code"]
        commune = names.get(village["commune_code"], village["commune_code"])
        names[key] = f"{village['name']} ({commune})" if province else village["name"]
    return names


def summary_rows(document: Mapping) -> list[tuple[str, object]]:
    """Label / value pairs of the summary sheet and the report's first table."""
    survey, coverage = document["survey"], document["coverage"]
    overall = document.get("overall") or {}
    rows: list[tuple[str, object]] = [
        (_("Đợt khảo sát"), survey["title"]),
        (_("Đơn vị"), survey["unit_name"]),
        (_("Mẫu phiếu"), f"{survey['template_key']} v{survey['template_version']}"),
        (_("Thời gian lấy ý kiến"), f"{date(survey['start_date'])} – {date(survey['end_date'])}"),
        (_("Trạng thái"), labels.status_label(survey["status"])),
        (labels.count_label("households"), coverage["households"]),
        (labels.count_label("respondents"), coverage["respondents"]),
        (labels.count_label("not_answered"), not_answered(coverage)),
        (labels.count_label("coverage"), Rate.of(coverage["respondents"], coverage["households"])),
        (labels.count_label("handed_out"), coverage["handed_out"]),
        (labels.count_label("missing"), coverage["missing"]),
    ]
    for channel, count in coverage.get("channels", {}).items():
        rows.append((_("Phiếu: %(channel)s", channel=labels.channel_label(channel)), count))
    if overall:
        rows.append((_("Số phiếu hài lòng chung"), overall["satisfied"]))
        rows.append((_("Tỷ lệ hài lòng chung"), Rate.of(overall["satisfied"], overall["respondents"])))
    rows.append((_("Kết luận"), labels.verdict_label(document["verdict"])))
    rows.append((_("Thời điểm lập"), datetime(document["generated_at"])))
    rows.append((_("Múi giờ"), zone_name()))
    return rows


def not_answered(unit: Mapping) -> int:
    """Households of a unit (or the whole survey) that did not answer."""
    return max(0, unit["households"] - unit["respondents"])


def item_headers() -> list[str]:
    """Headers of the per-item table."""
    return [_("Mã nội dung"), _("Nội dung"), _("Hài lòng"), _("Không hài lòng"),
            _("Không xác định"), _("Số phiếu"), _("Tỷ lệ hài lòng"), _("Khoảng tin cậy 95 % – thấp"),
            _("Khoảng tin cậy 95 % – cao")]


def item_rows(document: Mapping) -> list[list[object]]:
    """One row per item over the whole survey, named as ``item_names`` (numbered once)."""
    rows = []
    names = item_names(document)
    for item in document["items"]:
        interval = item.get("interval") or {}
        rows.append([item["key"], names[item["key"]], item["satisfied"],
                     item["not_satisfied"], item["blank"], _collected(item),
                     Rate.of(item["satisfied"], _collected(item)), Rate.from_float(interval.get("low")),
                     Rate.from_float(interval.get("high"))])
    return rows


def unit_headers(document: Mapping, kind: str) -> list[str]:
    """Headers of the per-village (or per-commune) table: the unit, then count and rate per item."""
    first = [_("Mã xã"), _("Mã thôn"), _("Tên thôn")] if kind == "villages" else [_("Mã xã"), _("Tên xã")]
    headers = first + [labels.count_label(field) for field in ("households", "handed_out", "respondents",
                                                               "missing", "coverage")]
    for tag in item_tags(document).values():
        headers += [_("%(item)s: hài lòng", item=tag), _("%(item)s: tỷ lệ", item=tag)]
    return headers


def unit_rows(document: Mapping, kind: str) -> list[list[object]]:
    """One row per village (or commune) with its counts and each item's satisfied count and rate."""
    rows = []
    for unit in document[kind]:
        first = ([unit["commune_code"], unit["code"], unit["name"]] if kind == "villages"
                 else [unit["code"], unit["name"]])
        row = first + [unit["households"], unit["handed_out"], unit["respondents"], unit["missing"],
                       Rate.of(unit["respondents"], unit["households"])]
        for item in unit["items"]:
            row += [item["satisfied"], Rate.of(item["satisfied"], _collected(item))]
        rows.append(row)
    return rows


def rule_headers() -> list[str]:
    """Headers of the rules table."""
    return [_("Quy định"), _("Ngưỡng"), _("Kết quả"), _("Số đạt"), _("Trên tổng số"), _("Tỷ lệ"),
            _("Nơi thấp nhất"), _("Số trường hợp không đạt (đơn vị × nội dung)"), _("Căn cứ"),
            _("Tình trạng ngưỡng"), _("Ghi chú")]


def rule_rows(document: Mapping) -> list[list[object]]:
    """One row per rule with the numbers that decided it."""
    units, items = unit_names(document), item_names(document)
    rows = []
    for rule in document["rules"]:
        where = [units.get(rule.get("deciding_unit"), rule.get("deciding_unit") or ""),
                 items.get(rule.get("deciding_item"), "")]
        rows.append([labels.rule_label(rule["kind"], rule.get("subunit")),
                     Rate(Fraction(rule["threshold_text"])), labels.met_label(rule["met"]), rule["successes"],
                     rule["trials"], Rate.of(rule["successes"], rule["trials"]),
                     ", ".join(w for w in where if w),
                     rule.get("shortfall_count", 0), translate_text(rule["source"]),
                     labels.verified_label(rule["verified"]), translate_text(rule.get("note", ""))])
    return rows


def long_headers() -> list[str]:
    """Headers of the CSV: one row per unit × item."""
    return [_("Cấp"), _("Mã xã"), _("Mã đơn vị"), _("Tên đơn vị"), _("Số hộ"), _("Số phiếu thu về"),
            _("Mã nội dung"), _("Nội dung"), _("Hài lòng"), _("Không hài lòng"), _("Không xác định"),
            _("Tỷ lệ hài lòng (%)")]


def long_rows(document: Mapping):
    """Yield the rows of the CSV: the whole unit, each commune when several, then each village."""
    survey, coverage = document["survey"], document["coverage"]
    blocks = [(labels.scope_label(survey["unit_level"]), "", survey["unit_code"], survey["unit_name"],
               coverage["households"], coverage["respondents"], document["items"])]
    if len(document.get("communes", [])) > 1:
        blocks += [(_("Xã"), c["code"], c["code"], c["name"], c["households"], c["respondents"], c["items"])
                   for c in document["communes"]]
    blocks += [(_("Thôn"), v["commune_code"], v["code"], v["name"], v["households"], v["respondents"],
                v["items"]) for v in document["villages"]]
    criteria = item_names(document)
    for level, commune, code, name, households, respondents, items in blocks:
        for item in items:
            yield [level, commune, code, name, households, respondents, item["key"], criteria[item["key"]],
                   item["satisfied"], item["not_satisfied"], item["blank"],
                   Rate.of(item["satisfied"], _collected(item))]
