"""The results document as typed tables with Vietnamese headers, shared by the CSV, XLSX and PDF exports."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..formatting import percent
from ..i18n import _
from ..web import translate_text
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
        """A rate known only as a float (interval limits)."""
        return cls(None if value is None else Fraction(value))

    def truncated(self, digits: int = 4) -> Decimal | None:
        """The rate cut to ``digits`` decimals: 0.9319 for 93.19 %."""
        if self.value is None:
            return None
        scale = 10**digits
        return Decimal(int(self.value * scale)) / scale

    def percent_text(self) -> str:
        """The rate as a plain percentage with two decimals and a dot, e.g. ``93.19``."""
        cut = self.truncated(4)
        return "" if cut is None else f"{cut * 100:.2f}"

    def __str__(self) -> str:
        return percent(self.value)


def _collected(item: Mapping) -> int:
    return item["satisfied"] + item["not_satisfied"] + item["blank"]


def item_names(document: Mapping) -> dict[str, str]:
    """Item key → criterion, in the form's order."""
    return {item["key"]: translate_text(item.get("criterion") or item["key"]) for item in document["items"]}


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
        (_("Thời gian lấy ý kiến"), f"{survey['start_date']} – {survey['end_date']}"),
        (_("Trạng thái"), labels.status_label(survey["status"])),
        (_("Số hộ trong danh sách"), coverage["households"]),
        (_("Số phiếu phát ra"), coverage["handed_out"]),
        (_("Số phiếu thu về"), coverage["respondents"]),
        (_("Số phiếu thiếu"), coverage["missing"]),
        (_("Tỷ lệ hộ tham gia"), Rate.of(coverage["respondents"], coverage["households"])),
    ]
    for channel, count in coverage.get("channels", {}).items():
        rows.append((_("Phiếu: %(channel)s", channel=labels.channel_label(channel)), count))
    if overall:
        rows.append((_("Số phiếu hài lòng chung"), overall["satisfied"]))
        rows.append((_("Tỷ lệ hài lòng chung"), Rate.of(overall["satisfied"], overall["respondents"])))
    rows.append((_("Kết luận"), labels.verdict_label(document["verdict"])))
    rows.append((_("Thời điểm lập"), document["generated_at"]))
    return rows


def item_headers() -> list[str]:
    """Headers of the per-item table."""
    return [_("STT"), _("Mã nội dung"), _("Nội dung"), _("Hài lòng"), _("Không hài lòng"),
            _("Không xác định"), _("Số phiếu"), _("Tỷ lệ hài lòng"), _("Khoảng tin cậy 95 % – thấp"),
            _("Khoảng tin cậy 95 % – cao")]


def item_rows(document: Mapping) -> list[list[object]]:
    """One row per item over the whole survey."""
    rows = []
    for number, item in enumerate(document["items"], 1):
        interval = item.get("interval") or {}
        rows.append([number, item["key"], translate_text(item.get("criterion", "")), item["satisfied"],
                     item["not_satisfied"], item["blank"], _collected(item),
                     Rate.of(item["satisfied"], _collected(item)), Rate.from_float(interval.get("low")),
                     Rate.from_float(interval.get("high"))])
    return rows


def unit_headers(document: Mapping, kind: str) -> list[str]:
    """Headers of the per-village (or per-commune) table: the unit, then count and rate per item."""
    first = [_("Mã xã"), _("Mã thôn"), _("Tên thôn")] if kind == "villages" else [_("Mã xã"), _("Tên xã")]
    headers = first + [_("Số hộ"), _("Số phiếu phát ra"), _("Số phiếu thu về"), _("Số phiếu thiếu"),
                       _("Tỷ lệ hộ tham gia")]
    for number in range(1, len(document["items"]) + 1):
        headers += [_("%(n)s. Hài lòng", n=number), _("%(n)s. Tỷ lệ", n=number)]
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
