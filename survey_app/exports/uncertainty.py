"""The uncertainty beside the verdict, in words: what the counts prove first, then what a model adds.

These surveys ask every household on the list; some do not answer. The non-response bounds (the rate
over all households if every household that did not answer were dissatisfied / satisfied) hold without
any assumption and come first. Every confidence interval and p-value assumes that the households that
answered are a random subset of all households, which a census attempt cannot check: one sentence
says so before them. The results page and the PDF report both read `uncertainty`, which words the figures in
the order the results document gives them (``overall.uncertainty``, built in
``services/results_uncertainty.py``) with the document's assumption sentence.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..formatting import number, percent
from ..formatting import threshold as format_threshold
from ..i18n import _, translate_text
from ..services.results_uncertainty import ASSUMPTION
from .explain import probability

#: The order of a document published before it said its own (``overall.uncertainty``).
OLDER_ORDER = ("wilson_fpc", "hypergeometric", "stratified")


@dataclass(frozen=True)
class Uncertainty:
    """The uncertainty beside the verdict, in the order it should be read.

    `bounds` is what the counts prove without any assumption (the rate over all households if every
    household that did not answer were dissatisfied / satisfied, or the census); `assumption` is the
    one sentence every model-based figure rests on; `model` are those figures (intervals, test).
    """

    bounds: str
    assumption: str | None
    model: tuple[str, ...]


def uncertainty(overall: Mapping | None, households: int, respondents: int) -> Uncertainty | None:
    """The statistics sentences of the results page and the report: the honest bounds first."""
    intervals = overall.get("intervals") if overall else None
    if not intervals:
        return None
    missing = max(0, households - respondents)
    bounds = intervals["nonresponse"]
    if not missing:
        return Uncertainty(_("Tất cả %(households)s hộ trong danh sách đã trả lời: tỷ lệ hài lòng trên tổng số hộ "
                             "là %(rate)s, không có sai số do chọn mẫu hay do hộ không trả lời.",
                             households=number(households), rate=percent(bounds["worst"])), None, ())
    sentence = _("Dù các hộ chưa trả lời nghĩ thế nào, tỷ lệ hài lòng trên tổng số %(households)s hộ chắc chắn "
                 "nằm trong khoảng từ %(worst)s (nếu tất cả %(missing)s hộ chưa trả lời đều không hài lòng) đến "
                 "%(best)s (nếu tất cả đều hài lòng).", households=number(households),
                 missing=number(missing), worst=percent(bounds["worst"]), best=percent(bounds["best"]))
    reading = overall.get("uncertainty") or {}
    assumption = translate_text(reading.get("assumption") or ASSUMPTION)
    order = [r["figure"] for r in reading.get("ranges", ()) if r["figure"] != "nonresponse"] or OLDER_ORDER
    words = {"wilson_fpc": (interval_sentence(overall, households),),
             "hypergeometric": (exact_sentence(overall), threshold_sentence(overall)),
             "stratified": (stratified_sentence(overall),)}
    model = [sentence for figure in order for sentence in words[figure]]
    return Uncertainty(sentence, assumption, tuple(s for s in model if s))


def interval_sentence(overall: Mapping, households: int) -> str | None:
    """The Wilson interval with the finite population correction, in words."""
    intervals = overall.get("intervals") if overall else None
    if not intervals:
        return None
    return _("Với độ tin cậy 95 %%, theo giả định đó, tỷ lệ hài lòng của toàn bộ %(households)s hộ nằm trong "
             "khoảng từ %(low)s đến %(high)s (khoảng Wilson có hiệu chỉnh quần thể hữu hạn).",
             households=number(households), low=percent(intervals["wilson_fpc"]["low"]),
             high=percent(intervals["wilson_fpc"]["high"]))


def exact_sentence(overall: Mapping) -> str | None:
    """The exact hypergeometric interval, in words."""
    intervals = overall.get("intervals") if overall else None
    if not intervals:
        return None
    exact = intervals["hypergeometric"]
    return _("Tính chính xác theo số hộ (phân phối siêu bội), khoảng tin cậy 95 %% là từ %(low)s "
             "đến %(high)s.", low=percent(exact["low"]), high=percent(exact["high"]))


def threshold_sentence(overall: Mapping) -> str | None:
    """The exact one-sided test of the threshold, in words."""
    intervals = overall.get("intervals") if overall else None
    test = intervals.get("threshold_test") if intervals else None
    if not test:
        return None
    return _("Nếu thực tế chỉ dưới %(threshold)s số hộ hài lòng, khả năng vẫn thu được từ %(x)s "
             "phiếu hài lòng trở lên như đợt này là %(p)s.", threshold=format_threshold(test["threshold"]),
             x=number(overall["satisfied"]), p=probability(test["p_value"]))


def stratified_sentence(overall: Mapping) -> str | None:
    """The stratified estimate (villages as strata), in words, saying which interval could be computed."""
    stratified = overall.get("stratified") if overall else None
    if not stratified:
        return None
    values = {"estimate": percent(stratified["estimate"]), "low": percent(stratified["low"]),
              "high": percent(stratified["high"])}
    method = stratified.get("interval_method", "")
    if method.startswith("exact-") and method.endswith("-strata"):
        return _("Tính theo quy mô từng thôn (mỗi thôn là một lớp), tỷ lệ hài lòng ước lượng là %(estimate)s; "
                 "vì các thôn chưa hỏi hết hộ đều có 0 %% hoặc 100 %% phiếu hài lòng (hoặc chỉ một phiếu), "
                 "khoảng tin cậy 95 %% được tính chính xác riêng từng thôn rồi cộng lại: từ %(low)s đến "
                 "%(high)s.", **values)
    if method.startswith("exact-"):
        return _("Tính theo quy mô từng thôn (mỗi thôn là một lớp), tỷ lệ hài lòng ước lượng là %(estimate)s; "
                 "vì tỷ lệ đó ở mọi thôn đều như nhau, khoảng tin cậy 95 %% được tính chính xác trên tổng số "
                 "phiếu: từ %(low)s đến %(high)s.", **values)
    if method == "nonresponse-bounds":
        return _("Tính theo quy mô từng thôn (mỗi thôn là một lớp), tỷ lệ hài lòng ước lượng là %(estimate)s; "
                 "số phiếu ở các thôn không đủ để tính khoảng tin cậy, nên chỉ nêu khoảng chắc chắn từ "
                 "%(low)s đến %(high)s.", **values)
    return _("Tính theo quy mô từng thôn (mỗi thôn là một lớp), tỷ lệ hài lòng ước lượng là %(estimate)s, "
             "khoảng tin cậy 95 %% từ %(low)s đến %(high)s.", **values)
