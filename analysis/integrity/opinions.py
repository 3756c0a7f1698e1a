"""Identical opinions: the same unusual free text on more phiếu than coincidence explains.

Honest phiếu repeat ordinary phrases ("Không có ý kiến gì thêm", "Rất hài lòng", "Hoàn toàn nhất trí") as a
matter of course, and in a large survey even an unusual sentence recurs now and then. So a text is judged
by two questions instead of a fixed count of copies:

1. Is it ordinary? Its words, compared without case, punctuation or diacritics, are one or more phrases of
   the maintained list `ORDINARY_OPINIONS` joined by words that carry no content (`FILLER_WORDS`), or it
   has fewer than `min_words` words. Ordinary texts are never flagged, however frequent.
2. Otherwise, are its copies in one village more than chance explains? Two residents rarely phrase a
   sentence word for word alike, the less so the longer it is: `coincidence_rate` is the share of
   opinions an unusual text of that many words may reach by chance (generous, so that neighbours phrasing
   a local concern alike are not flagged). A text written all over the survey is popular, not copied:
   its rate in the other villages is the second explanation. The copies in a village are flagged when
   neither explains them (binomial and beta-binomial tails, Bonferroni-adjusted for every test made,
   below `alpha`); one hand filling in many phiếu of its village with the same sentence is the case.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from scipy.stats import betabinom, binom

from .indicator import Indicator

__all__ = [
    "FILLER_WORDS",
    "NO_OPINION",
    "ORDINARY_OPINIONS",
    "coincidence_rate",
    "identical_opinions",
    "is_ordinary",
    "normalise_opinion",
    "plain_opinion",
    "repeated_opinions",
]

#: The maintained list of ordinary phrases of honest phiếu (compared without case, punctuation or diacritics).
ORDINARY_OPINIONS = (
    "không", "không có", "không có gì", "không có gì thêm", "không có gì khác",
    "không có ý kiến", "không ý kiến", "không có ý kiến gì", "không có ý kiến gì thêm",
    "không có ý kiến gì khác", "không có ý kiến khác", "không có ý kiến thêm", "không có ý kiến đóng góp",
    "không có ý kiến đề xuất", "không có kiến nghị", "không có kiến nghị gì", "không kiến nghị",
    "không có đề xuất", "không có đề xuất gì", "không có đề nghị gì", "không có thắc mắc",
    "nhất trí", "nhất trí cao", "hoàn toàn nhất trí", "nhất trí hoàn toàn", "rất nhất trí",
    "đồng ý", "hoàn toàn đồng ý", "rất đồng ý", "đồng tình", "thống nhất", "ủng hộ",
    "hài lòng", "rất hài lòng", "hoàn toàn hài lòng", "rất là hài lòng",
    "tốt", "rất tốt", "tốt đẹp", "mọi thứ đều tốt", "ổn", "bình thường", "ok", "oke",
    "cảm ơn", "xin cảm ơn", "chân thành cảm ơn", "trân trọng cảm ơn",
    "tiếp tục phát huy", "tiếp tục duy trì", "tiếp tục duy trì và nâng cao",
    "phát triển", "ngày càng phát triển", "ngày càng giàu đẹp", "văn minh",
)
#: Words that join ordinary phrases without adding content ("Rất hài lòng với kết quả của xã ạ").
FILLER_WORDS = (
    "ạ", "dạ", "vâng", "và", "với", "của", "cho", "là", "được", "đã", "rồi", "thôi", "cả", "hết", "cũng",
    "nữa", "thêm", "gì", "nào", "về", "đối", "các", "những", "mọi", "đều", "rất", "hoàn", "toàn", "lắm",
    "xin", "tôi", "em", "chúng", "gia", "đình", "chúng tôi", "kết", "quả", "việc", "xây", "dựng", "nông",
    "thôn", "mới", "ntm", "địa", "phương", "xã", "ấp", "bản", "xóm", "tổ", "khu", "dân", "cư", "người",
    "ở", "tại", "này", "đây", "trên", "bàn", "tiêu", "chí", "đạt", "chuẩn", "chính", "quyền", "cấp",
    "ủy", "đảng", "nhà", "nước", "mặt", "trận", "ban", "ngành", "đoàn", "thể", "cán", "bộ", "ngày", "càng",
)

#: Earlier name of the maintained list, kept for callers that import it.
NO_OPINION = ORDINARY_OPINIONS

_DROPPED_CATEGORIES = ("P", "S", "C")  # punctuation, symbols, control characters: read as spaces


def normalise_opinion(text: str) -> str:
    """The comparison form of a free-text opinion: NFC, case-folded, punctuation and symbols as spaces,
    spaces collapsed (diacritics kept: this is also how the results merge opinions for display)."""
    folded = unicodedata.normalize("NFC", text).casefold()
    spaced = "".join(" " if unicodedata.category(c)[0] in _DROPPED_CATEGORIES else c for c in folded)
    return " ".join(spaced.split())


def plain_opinion(text: str) -> str:
    """`normalise_opinion` without diacritics (đ as d): residents typing on a phone often leave them out."""
    decomposed = unicodedata.normalize("NFD", normalise_opinion(text)).replace("đ", "d")
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _phrases(texts: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(plain_opinion(text).split()) for text in texts) - {()}


_ORDINARY = _phrases(ORDINARY_OPINIONS)
_FILLERS = _phrases(FILLER_WORDS)


def is_ordinary(text: str, ordinary: Iterable[str] | None = None, fillers: Iterable[str] | None = None) -> bool:
    """Whether ``text`` is made only of ordinary phrases and filler words (an empty text is ordinary)."""
    phrases = _ORDINARY if ordinary is None else _phrases(ordinary)
    joins = _FILLERS if fillers is None else _phrases(fillers)
    return _segments(tuple(plain_opinion(text).split()), phrases | joins)


def _segments(words: tuple[str, ...], pieces: frozenset[tuple[str, ...]]) -> bool:
    """Whether ``words`` split into a sequence of ``pieces`` (dynamic programming over word positions)."""
    longest = max((len(piece) for piece in pieces), default=0)
    reachable = [True] + [False] * len(words)
    for start in range(len(words)):
        if reachable[start]:
            for size in range(1, min(longest, len(words) - start) + 1):
                if words[start:start + size] in pieces:
                    reachable[start + size] = True
    return reachable[-1]


def coincidence_rate(words: int) -> float:
    """The share of a survey's opinions that one unusual text of ``words`` words may reach by coincidence.

    5 % up to 5 words, then a quarter less with each further word (2.8 % at 7, 1.2 % at 10, 0.4 % at 14),
    never below 0.1 %: short sentences recur between neighbours, long ones word for word seldom, and
    some sentences missing from the maintained list are popular anyway.
    """
    if words < 3:
        return 1.0
    return max(0.001, 0.05 * 0.75 ** max(0, words - 5))


#: Neighbours talk: a phrase popular in the survey may be a few times as popular in one village. The rate
#: elsewhere is worth at most this many opinions as evidence of the village's own rate.
CLUSTERING = 50.0


def _popularity(rest_k: int, rest_m: int, rate: float) -> tuple[float, float]:
    """Beta parameters of a text's rate in a village from its copies elsewhere: a weak prior centred on the
    coincidence rate (worth two opinions), the copies elsewhere, at most `CLUSTERING` opinions in all."""
    a, b = rest_k + 2 * rate, rest_m - rest_k + 2 * (1 - rate)
    scale = min(1.0, CLUSTERING / (a + b))
    return a * scale, b * scale


def _count_copies(rows: Iterable[tuple[str, str | None, int]], min_words: int, pieces: frozenset | set,
                  ) -> tuple[int, Counter, dict[str, Counter], dict[str, Counter]]:
    """The opinions in all and per village, and the copies per village and spellings of each unusual text."""
    opinions, per_village = 0, Counter()
    copies: dict[str, Counter] = {}
    spellings: dict[str, Counter] = {}
    for text, village, count in rows:
        if not isinstance(text, str):
            raise ValueError(f"an opinion must be a string, got {text!r}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"copies must be a non-negative integer, got {count!r}")
        words = tuple(plain_opinion(text).split())
        if not words or not count:
            continue
        opinions += count
        per_village[village] += count
        if len(words) >= min_words and not _segments(words, pieces):
            key = " ".join(words)
            copies.setdefault(key, Counter())[village] += count
            spellings.setdefault(key, Counter())[text.strip()] += count
    return opinions, per_village, copies, spellings


def _copy_tests(copies: dict[str, Counter], per_village: Counter, opinions: int, min_copies: int) -> list[tuple]:
    """(p-value, text, village, copies there, opinions there, coincidence rate, rate elsewhere) of every
    village holding at least ``min_copies`` copies of a text: coincidence or popularity elsewhere."""
    tests = []
    for key, villages in copies.items():
        total, rate = sum(villages.values()), coincidence_rate(len(key.split()))
        for village, k in villages.items():
            if k < min_copies:
                continue
            m = per_village[village]
            p_value = float(binom.sf(k - 1, m, rate))
            rest_k, rest_m = total - k, opinions - m
            elsewhere = rest_k / rest_m if rest_m else None
            if rest_m:  # its popularity elsewhere may explain it too
                p_value = max(p_value, float(betabinom.sf(k - 1, m, *_popularity(rest_k, rest_m, rate))))
            tests.append((p_value, key, village, k, m, rate, elsewhere))
    return tests


def repeated_opinions(
    rows: Iterable[tuple[str, str | None, int]],
    *,
    alpha: float = 0.001,
    min_words: int = 3,
    min_copies: int = 3,
    ordinary: Iterable[str] | None = None,
) -> tuple[Indicator, ...]:
    """Flag unusual texts repeated in a village more than chance explains, from ``(text, village, copies)``.

    ``village`` may be None (unknown: such opinions form one group of their own). Every opinion counts in
    the number of opinions, ordinary ones too. In each village holding two copies or more, the copies are
    explained if either coincidence (`coincidence_rate`) or the text's popularity in the other villages
    (its rate there, as a beta-binomial allowing for clustering, see `_popularity`) makes that many copies
    likely; a text is
    flagged when neither does. With one group only, coincidence alone is the yardstick.

    Evidence: the text as most often written, its copies and the survey's opinions, the decisive village's
    copies and opinions, the coincidence rate and the rate elsewhere, the villages holding copies (most
    first), the p-value and its Bonferroni adjustment for every test made.
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    if isinstance(min_copies, bool) or not isinstance(min_copies, int) or min_copies < 2:
        raise ValueError(f"min_copies must be a whole number of at least 2, got {min_copies!r}")
    pieces = (_ORDINARY if ordinary is None else _phrases(ordinary)) | _FILLERS
    opinions, per_village, copies, spellings = _count_copies(rows, min_words, pieces)
    tests = _copy_tests(copies, per_village, opinions, min_copies)
    found = []
    for p_value, key, village, k, m, rate, elsewhere in sorted(tests, key=lambda t: (t[0], t[1])):
        adjusted = min(1.0, p_value * len(tests))
        if adjusted >= alpha:
            break
        if any(indicator.evidence["key"] == key for indicator in found):
            continue
        villages = copies[key]
        found.append(Indicator("identical_opinions", "warning", None if village is None else str(village), {
            "key": key,
            "text": max(spellings[key].items(), key=lambda item: (item[1], item[0]))[0],
            "copies": sum(villages.values()),
            "opinions": opinions,
            "village_copies": k,
            "village_opinions": m,
            "expected_rate": rate,
            "rate_elsewhere": elsewhere,
            "villages": tuple(str(v) for v, _n in sorted(villages.items(), key=lambda item: (-item[1], str(item[0])))
                              if v is not None),
            "p_value": p_value,
            "adjusted_p_value": adjusted,
            "alpha": alpha,
        }))
    return tuple(found)


def identical_opinions(
    texts: Sequence[str | None],
    villages: Sequence[str | None] | None = None,
    *,
    alpha: float = 0.001,
    min_words: int = 3,
    min_copies: int = 3,
    ordinary: Iterable[str] | None = None,
) -> tuple[Indicator, ...]:
    """`repeated_opinions` over one text per phiếu (None or empty: no opinion), with the village of each.

    Evidence also lists the positions of the copies in ``texts``.
    """
    if villages is not None and len(villages) != len(texts):
        raise ValueError(f"got {len(texts)} opinions but {len(villages)} villages")
    rows: Counter = Counter()
    positions: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValueError(f"opinion {index} must be a string or None, got {text!r}")
        rows[(text, villages[index] if villages is not None else None)] += 1
        positions.setdefault(" ".join(plain_opinion(text).split()), []).append(index)
    found = repeated_opinions(((text, village, n) for (text, village), n in rows.items()), alpha=alpha,
                              min_words=min_words, min_copies=min_copies, ordinary=ordinary)
    return tuple(Indicator(i.kind, i.severity, i.subject, dict(i.evidence) | {
        "positions": tuple(positions[i.evidence["key"]])}) for i in found)
