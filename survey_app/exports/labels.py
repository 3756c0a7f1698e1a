"""Words shown for the codes of the results document, shared by the pages and the exports."""
from __future__ import annotations

from ..i18n import _
from ..models import AnswerValue, Channel, SurveyStatus


def verdict_label(verdict: str) -> str:
    """The overall verdict in words."""
    return {
        "met": _("Đạt"),
        "not_met": _("Không đạt"),
        "incomplete": _("Chưa đủ điều kiện kết luận"),
    }.get(verdict, verdict)


def verdict_sentence(verdict: str, collecting_finished: bool, quorum_met: bool) -> str:
    """Why the verdict is what it is, in one sentence."""
    if verdict == "met":
        return _("Kết quả đạt mọi quy định về tỷ lệ hài lòng và tỷ lệ hộ tham gia.")
    if verdict == "not_met":
        return _("Có ít nhất một quy định không đạt (xem bảng đối chiếu quy định).")
    if not collecting_finished:
        return _("Đợt lấy ý kiến chưa kết thúc nên chưa thể kết luận; số liệu dưới đây là số tạm tính.")
    if not quorum_met:
        return _("Số hộ tham gia chưa đạt tỷ lệ tối thiểu nên chưa thể kết luận.")
    return _("Chưa đủ điều kiện kết luận.")


def rule_label(kind: str, subunit: str | None = None) -> str:
    """What a rule checks, in words."""
    if kind == "subunit_item_min":
        return _("Từng nội dung, ở mỗi thôn") if subunit == "village" else _("Từng nội dung, ở mỗi xã")
    if kind == "subunit_average_min":
        return (_("Bình quân các nội dung, ở mỗi thôn") if subunit == "village"
                else _("Bình quân các nội dung, ở mỗi xã"))
    if kind == "coverage_min" and subunit == "village":
        return _("Tỷ lệ hộ tham gia ở mỗi thôn")
    if kind == "coverage_min" and subunit == "commune":
        return _("Tỷ lệ hộ tham gia ở mỗi xã")
    return {
        "overall_min": _("Tỷ lệ hài lòng chung"),
        "item_min": _("Tỷ lệ hài lòng từng nội dung"),
        "items_average_min": _("Tỷ lệ hài lòng bình quân các nội dung"),
        "coverage_min": _("Tỷ lệ hộ tham gia ý kiến"),
    }.get(kind, kind)


def met_label(met: bool) -> str:
    """Met or not met."""
    return _("Đạt") if met else _("Không đạt")


def verified_label(verified: bool) -> str:
    """Whether a threshold was read in its legal source or is still to be confirmed."""
    return _("Đã kiểm chứng") if verified else _("Cần xác nhận")


def channel_label(channel: str) -> str:
    """How phiếu reached the survey (the document's code; the words are ``Channel.label``)."""
    return Channel(channel).label if channel in Channel._value2member_map_ else channel


def status_label(status: str) -> str:
    """A survey's status in words (the document's code; the words are ``SurveyStatus.label``)."""
    return SurveyStatus(status).label if status in SurveyStatus._value2member_map_ else status


def answer_label(value: int) -> str:
    """One answer code in words (the words are ``AnswerValue.label``)."""
    return AnswerValue(value).label if value in AnswerValue._value2member_map_ else ""


def severity_label(severity: str) -> str:
    """How urgently an integrity indicator should be checked."""
    labels = {"info": _("Lưu ý"), "warning": _("Cần kiểm tra"), "alert": _("Kiểm tra trước")}
    return labels.get(severity, severity)


def scope_label(level: str) -> str:
    """The whole surveyed unit, as the first row of a table."""
    return _("Toàn tỉnh") if level == "province" else _("Toàn xã")


def count_label(field: str, short: bool = False) -> str:
    """The one name of each count of households and phiếu (``short``: in a table's header).

    Households that did not answer and slips handed out that did not come back are different numbers:
    slips are handed out with spares on top of the households, so more slips than households stay out.
    """
    if short:
        names = {"households": _("Số hộ"), "handed_out": _("Phát ra"), "respondents": _("Thu về"),
                 "not_answered": _("Hộ chưa trả lời"), "missing": _("Chưa thu về"), "coverage": _("Tỷ lệ tham gia")}
    else:
        names = {"households": _("Số hộ trong danh sách"), "handed_out": _("Số phiếu phát ra"),
                 "respondents": _("Số phiếu thu về"), "not_answered": _("Số hộ chưa trả lời"),
                 "missing": _("Số phiếu phát ra chưa thu về"), "coverage": _("Tỷ lệ hộ tham gia")}
    return names.get(field, field)


def counts_note() -> str:
    """Why the phiếu not returned may outnumber the households that did not answer."""
    return _("Số phiếu phát ra gồm cả phiếu dự phòng, nên số phiếu phát ra chưa thu về có thể nhiều hơn số hộ "
             "chưa trả lời.")
