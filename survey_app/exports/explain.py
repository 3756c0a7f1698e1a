"""One plain Vietnamese sentence for each rule and integrity indicator an auditor reads (the statistics beside
the verdict are worded in `uncertainty`)."""
from __future__ import annotations

from collections.abc import Mapping

from ..formatting import datetime as format_datetime
from ..formatting import number, percent
from ..i18n import _, ngettext
from .text import one_line

#: How much of a text that residents or staff typed a sentence quotes (the exports hold it whole).
QUOTED = 200


def probability(value: float) -> str:
    """A probability as a percentage, without showing a tiny one as 0."""
    return _("dưới 0,01 %") if value < 0.0001 else percent(value)


def deciding_numbers(rule: Mapping, unit_names: Mapping[str, str], item_names: Mapping[str, str]) -> str:
    """The counts that decided a rule and where they come from."""
    if not rule["trials"]:
        text = _("chưa có phiếu")
    elif rule.get("averaged_items"):
        text = _average(rule, item_names)
    else:
        text = _("%(x)s/%(n)s = %(rate)s", x=number(rule["successes"]), n=number(rule["trials"]),
                 rate=percent(rule["observed"]))
    where = [unit_names.get(rule.get("deciding_unit"), rule.get("deciding_unit")) if rule.get("deciding_unit")
             else None, item_names.get(rule.get("deciding_item")) if rule.get("deciding_item") else None]
    where = [w for w in where if w]
    if where and rule["kind"] != "overall_min":
        text = _("%(numbers)s (thấp nhất: %(where)s)", numbers=text, where=", ".join(where))
    if rule.get("subunit") and rule.get("failing_units"):
        failing = [unit_names.get(code, code) for code in rule["failing_units"]]
        text = ngettext("%(numbers)s; %(count)s đơn vị không đạt: %(names)s",
                        "%(numbers)s; %(count)s đơn vị không đạt: %(names)s", len(failing), numbers=text,
                        count=number(len(failing)), names=_listing(failing))
    if rule.get("failing_items") and rule["kind"] != "overall_min":
        failing = [item_names.get(key, key) for key in rule["failing_items"]]
        text = ngettext("%(numbers)s; %(count)s nội dung không đạt: %(names)s",
                        "%(numbers)s; %(count)s nội dung không đạt: %(names)s", len(failing), numbers=text,
                        count=number(len(failing)), names=_listing(failing))
    return text


def _average(rule: Mapping, item_names: Mapping[str, str]) -> str:
    """An average rule's deciding numbers: the mean of the items' rates, and the answers it comes from."""
    keys = rule["averaged_items"]
    return _("bình quân %(k)s nội dung (%(names)s) = %(rate)s, tức %(x)s trên %(n)s lượt trả lời là hài lòng",
             k=number(len(keys)), names=_listing([item_names.get(key, key) for key in keys], shown=3),
             rate=percent(rule["observed"]), x=number(rule["successes"]), n=number(rule["trials"]))


def _listing(names: list[str], shown: int = 5) -> str:
    """The first few names, and how many more."""
    if len(names) <= shown:
        return ", ".join(names)
    return _("%(names)s và %(more)s khác", names=", ".join(names[:shown]), more=number(len(names) - shown))


def indicator_title(kind: str) -> str:
    """The name of an integrity indicator."""
    return {
        "burst": _("Nhiều phiếu trực tuyến từ một địa chỉ mạng trong thời gian ngắn"),
        "declared_meeting": _("Họp thôn đã khai báo"),
        "fast_keying": _("Phiếu giấy được nhập nhanh bất thường"),
        "identical_opinions": _("Nhiều ý kiến giống hệt nhau"),
        "full_coverage": _("Thôn có tỷ lệ tham gia từ 100 % trở lên"),
        "outside_window": _("Phiếu ghi nhận ngoài thời gian lấy ý kiến"),
        "outlier_village": _("Thôn có tỷ lệ hài lòng khác hẳn các thôn còn lại"),
        "rules_changed": _("Quy tắc công nhận được sửa sau khi mở lấy ý kiến"),
    }.get(kind, kind)


def indicator_sentence(kind: str, subject: str | None, evidence: Mapping,
                       unit_names: Mapping[str, str]) -> str:
    """The evidence of one integrity indicator, in words."""
    place = unit_names.get(subject, subject) if subject else ""
    if kind == "burst":
        return _burst_sentence(subject, evidence, unit_names)
    if kind == "declared_meeting":
        return _meeting_sentence(place, evidence)
    if kind == "fast_keying":
        return _keying_sentence(evidence)
    if kind == "identical_opinions":
        return _opinion_sentence(place, evidence, unit_names)
    if kind == "full_coverage" and evidence["respondents"] > evidence["households"]:
        return _("%(place)s có %(n)s phiếu, nhiều hơn %(households)s hộ trong danh sách.", place=place,
                 n=number(evidence["respondents"]), households=number(evidence["households"]))
    if kind == "full_coverage":
        return _("%(place)s: tất cả %(households)s hộ đều đã trả lời.", place=place,
                 households=number(evidence["households"]))
    if kind == "outside_window":
        return _("%(before)s phiếu được ghi nhận trước ngày bắt đầu và %(after)s phiếu sau ngày kết thúc "
                 "(sớm nhất %(earliest)s, muộn nhất %(latest)s).", before=number(evidence["before"]),
                 after=number(evidence["after"]), earliest=format_datetime(evidence["earliest"]),
                 latest=format_datetime(evidence["latest"]))
    if kind == "outlier_village":
        direction = _("cao hơn") if evidence["direction"] == "above" else _("thấp hơn")
        if "spread" in evidence:  # judged against how much villages ordinarily differ
            return _("%(place)s có tỷ lệ hài lòng %(rate)s (%(x)s/%(n)s), %(direction)s các thôn còn lại (%(rest)s) "
                     "nhiều hơn mức các thôn thường chênh lệch nhau; xác suất đã hiệu chỉnh %(p)s.", place=place,
                     rate=percent(evidence["rate"]), x=number(evidence["satisfied"]),
                     n=number(evidence["respondents"]), direction=direction, rest=percent(evidence["rest_rate"]),
                     p=probability(evidence["adjusted_p_value"]))
        return _("%(place)s có tỷ lệ hài lòng %(rate)s (%(x)s/%(n)s), %(direction)s hẳn các thôn còn lại "
                 "(%(rest)s); kiểm định chính xác Fisher, xác suất đã hiệu chỉnh %(p)s.", place=place,
                 rate=percent(evidence["rate"]), x=number(evidence["satisfied"]),
                 n=number(evidence["respondents"]), direction=direction, rest=percent(evidence["rest_rate"]),
                 p=probability(evidence["adjusted_p_value"]))
    if kind == "rules_changed":
        text = ngettext("Quy tắc đã được sửa %(n)s lần sau khi mở lấy ý kiến", "Quy tắc đã được sửa %(n)s lần sau "
                        "khi mở lấy ý kiến", evidence["changes"], n=number(evidence["changes"]))
        if evidence["lowered"]:
            text = ngettext("%(text)s, hạ %(k)s ngưỡng", "%(text)s, hạ %(k)s ngưỡng", evidence["lowered"],
                            text=text, k=number(evidence["lowered"]))
        return _("%(text)s; lần cuối %(last)s, người sửa: %(by)s; lý do: “%(why)s”.", text=text,
                 last=format_datetime(evidence["last"]), by=", ".join(evidence["by"]),
                 why=one_line(evidence["justification"], QUOTED))
    return ", ".join(f"{k}: {v}" for k, v in evidence.items())


def _burst_sentence(subject: str | None, evidence: Mapping, unit_names: Mapping[str, str]) -> str:
    """Many web phiếu from one network address (a hashed address, not a device: many share one)."""
    client = (subject or "")[:8]
    if "window_seconds" in evidence:  # frozen by a publication made before addresses were judged by share
        return _("Một địa chỉ mạng (mã ẩn danh %(client)s) đã gửi %(n)s phiếu trực tuyến trong vòng %(minutes)s "
                 "phút, từ %(first)s đến %(last)s; tổng cộng địa chỉ này gửi %(total)s phiếu.", client=client,
                 n=number(evidence["answers"]), minutes=number(round(evidence["window_seconds"] / 60)),
                 first=format_datetime(evidence["first"]), last=format_datetime(evidence["last"]),
                 total=number(evidence["client_answers"]))
    where = _listing([one_line(unit_names.get(v, v)) for v in evidence.get("villages", ())])
    parts = [_("Một địa chỉ mạng (mã ẩn danh %(client)s) đã gửi %(n)s phiếu trực tuyến của %(where)s từ %(first)s "
               "đến %(last)s; tổng cộng địa chỉ này gửi %(total)s phiếu.", client=client,
               n=number(evidence["answers"]), where=where, first=format_datetime(evidence["first"]),
               last=format_datetime(evidence["last"]), total=number(evidence["address_answers"]))]
    if evidence.get("crowd"):
        village = one_line(unit_names.get(evidence.get("village"), evidence.get("village") or ""))
        counts = {"village": village, "k": number(evidence["village_session_answers"]),
                  "seen": number(evidence["village_answers"])}
        if evidence.get("share_elsewhere") is not None:
            parts.append(_("Riêng %(village)s, %(k)s trong %(seen)s phiếu trực tuyến của thôn trong khoảng thời gian "
                           "đó đến từ địa chỉ này, trong khi lúc khác địa chỉ này chỉ chiếm %(share)s số phiếu "
                           "trực tuyến của thôn.", share=percent(evidence["share_elsewhere"], 1), **counts))
        else:
            parts.append(_("Riêng %(village)s, %(k)s trong %(seen)s phiếu trực tuyến của thôn trong khoảng thời gian "
                           "đó đến từ địa chỉ này.", **counts))
        parts.append(_("Nếu đó là một buổi họp thôn, hãy khai báo buổi họp (Tiến độ thu phiếu → Họp thôn): "
                       "phiếu trong buổi họp đã khai báo không bị coi là bất thường."))
    if evidence.get("one_by_one"):
        parts.append(_("Các phiếu cách nhau đều đặn, ít nhất %(gap)s giây, như một người lần lượt điền từng phiếu.",
                       gap=number(round(evidence["min_gap_seconds"]))))
    return " ".join(parts)


def _meeting_sentence(place: str, evidence: Mapping) -> str:
    """A declared village meeting and the web answers it covered."""
    text = _("%(place)s họp từ %(start)s đến %(end)s: %(n)s phiếu trực tuyến của thôn trong buổi họp, từ "
             "%(addresses)s địa chỉ mạng, được coi là bình thường.", place=place,
             start=format_datetime(evidence["start"]), end=format_datetime(evidence["end"]),
             n=number(evidence["answers"]), addresses=number(evidence["addresses"]))
    if "declared_by" in evidence:
        text += " " + _("Người khai báo: %(by)s, lúc %(at)s.", by=one_line(evidence["declared_by"], QUOTED),
                        at=format_datetime(evidence["declared_at"]))
        if evidence.get("declared_after"):
            text += " " + _("Buổi họp được khai báo sau khi đã diễn ra: hãy đối chiếu với biên bản họp.")
        if evidence.get("note"):
            text += " " + _("Ghi chú: “%(note)s”.", note=one_line(evidence["note"], QUOTED))
    return text


def _keying_sentence(evidence: Mapping) -> str:
    """Paper phiếu keyed too fast for the person who keyed them."""
    who, hour = one_line(evidence.get("keyer", "?"), QUOTED), format_datetime(evidence.get("hour"))
    pace, n = number(round(evidence["seconds_per_form"], 1)), number(evidence["forms"])
    if "min_seconds_per_form" in evidence:  # frozen by a publication made before keyers were judged by own pace
        return _("%(who)s đã nhập %(n)s phiếu giấy trong giờ bắt đầu lúc %(hour)s, trung bình "
                 "%(pace)s giây/phiếu (ngưỡng %(limit)s giây; trung vị các lô là %(median)s giây).",
                 who=who, n=n, hour=hour, pace=pace, limit=number(evidence["min_seconds_per_form"]),
                 median=number(round(evidence["median_seconds_per_form"], 1)))
    own = number(round(evidence["own_seconds_per_form"], 1))
    limit = number(round(evidence["limit_seconds_per_form"], 1))
    if evidence.get("basis") == "others":
        return _("%(who)s nhập phiếu giấy với nhịp thường ngày %(own)s giây/phiếu (%(total)s phiếu), nhanh hơn hẳn "
                 "những người nhập khác (trung vị %(others)s giây/phiếu); nhanh nhất là %(n)s phiếu trong giờ bắt đầu "
                 "lúc %(hour)s, trung bình %(pace)s giây/phiếu.", who=who, own=own,
                 total=number(evidence["keyer_forms"]), others=number(round(evidence["others_seconds_per_form"], 1)),
                 n=n, hour=hour, pace=pace)
    if evidence.get("basis") == "floor":
        return _("%(who)s đã nhập %(n)s phiếu giấy trong giờ bắt đầu lúc %(hour)s, trung bình %(pace)s giây/phiếu: "
                 "không ai kịp đọc và nhập một phiếu giấy nhanh như vậy (dưới %(limit)s giây).", who=who, n=n,
                 hour=hour, pace=pace, limit=limit)
    return _("%(who)s đã nhập %(n)s phiếu giấy trong giờ bắt đầu lúc %(hour)s, trung bình %(pace)s giây/phiếu, "
             "nhanh hơn hẳn nhịp thường ngày của chính người này (%(own)s giây/phiếu; ngưỡng %(limit)s giây).",
             who=who, n=n, hour=hour, pace=pace, own=own, limit=limit)


def _opinion_sentence(place: str, evidence: Mapping, unit_names: Mapping[str, str]) -> str:
    """The same unusual opinion on more phiếu of a village than coincidence or its popularity explains."""
    where = _listing([one_line(unit_names.get(v, v)) for v in evidence.get("villages", ())])
    text = _("%(n)s phiếu có cùng ý kiến “%(text)s” (ở %(where)s).", n=number(evidence["copies"]),
             text=one_line(evidence["text"], QUOTED), where=where)
    if "village_copies" not in evidence:  # frozen by a publication made before the rate test
        return text
    place = one_line(place) if place else _("các phiếu chưa rõ thôn")
    if evidence.get("rate_elsewhere"):
        return text + " " + _("Riêng %(place)s có %(k)s trong %(m)s ý kiến, nhiều hơn hẳn mức trùng hợp ngẫu nhiên "
                              "và mức thường gặp ở các thôn khác (%(rate)s số ý kiến).", place=place,
                              k=number(evidence["village_copies"]), m=number(evidence["village_opinions"]),
                              rate=percent(evidence["rate_elsewhere"], 1))
    return text + " " + _("Riêng %(place)s có %(k)s trong %(m)s ý kiến, nhiều hơn hẳn mức trùng hợp ngẫu nhiên.",
                          place=place, k=number(evidence["village_copies"]), m=number(evidence["village_opinions"]))
