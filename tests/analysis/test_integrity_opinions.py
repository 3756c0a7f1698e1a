"""Integrity indicator "identical opinions": ordinary phrases never count as copies; copies that chance does not
explain are flagged."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis as A
from analysis import integrity as I

COPIED = "Đề nghị cấp trên sớm xem xét công nhận xã đạt chuẩn nông thôn mới nâng cao"
ISSUE_PHRASES = ("Không có ý kiến gì thêm", "Rất hài lòng", "Hoàn toàn nhất trí", "Nhất trí cao", "Không có gì",
                 "Không có kiến nghị gì")


def as_json(indicator) -> str:
    """The evidence as a publication snapshot freezes it (times as ISO text); raises if not JSON-able."""
    return json.dumps(dict(indicator.evidence), default=lambda v: v.isoformat(), allow_nan=False)


def test_the_issues_ordinary_phrases_are_never_copies_however_many():
    texts = [phrase for phrase in ISSUE_PHRASES for _ in range(400)]
    assert A.identical_opinions(texts) == ()
    assert A.identical_opinions(texts, ["T01"] * len(texts)) == ()


def test_ordinary_phrases_match_without_case_punctuation_diacritics_or_particles():
    for text in ("KHÔNG CÓ Ý KIẾN GÌ THÊM!!!", "khong co y kien gi them a", "Rất hài lòng, không có ý kiến gì thêm ạ.",
                 "Nhất trí cao với kết quả xây dựng nông thôn mới của xã", "Dạ, hoàn toàn nhất trí…", "  ok  "):
        assert I.is_ordinary(text), text
    for text in ("Đề nghị sửa đường liên thôn", COPIED, "Không nhất trí vì đường chưa làm"):
        assert not I.is_ordinary(text), text
    assert I.plain_opinion("Đường  LIÊN-THÔN.") == "duong lien thon"
    assert I.normalise_opinion("Đường  LIÊN-THÔN.") == "đường liên thôn"


@settings(max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(I.ORDINARY_OPINIONS), st.sampled_from(["", ".", "!", " ạ", "...", ","]),
                          st.booleans(), st.booleans()), min_size=1, max_size=4))
def test_any_spelling_of_ordinary_phrases_is_ordinary(pieces):
    parts = []
    for phrase, mark, upper, plain in pieces:
        text = I.plain_opinion(phrase) if plain else phrase
        parts.append((text.upper() if upper else text) + mark)
    text = " ".join(parts)
    assert I.is_ordinary(text)
    assert A.identical_opinions([text] * 50) == ()


def test_copies_in_one_village_are_flagged_where_chance_does_not_explain_them():
    texts = [COPIED] * 6 + [f"Ý kiến riêng số {i} về đường sá" for i in range(30)]
    villages = ["T02"] * 6 + ["T01"] * 30
    (indicator,) = A.identical_opinions(texts, villages)
    evidence = indicator.evidence
    assert indicator.subject == "T02" and indicator.severity == "warning"
    assert evidence["copies"] == 6 and evidence["village_copies"] == 6 and evidence["villages"] == ("T02",)
    assert evidence["text"] == COPIED and evidence["positions"] == (0, 1, 2, 3, 4, 5)
    assert evidence["adjusted_p_value"] < evidence["alpha"]
    as_json(indicator)


def test_a_sentence_popular_all_over_the_survey_is_not_a_copy():
    popular = "Mong chính quyền tiếp tục quan tâm đến bà con"
    texts, villages = [], []
    for v in range(10):
        texts += [popular] * (8 + v % 3) + [f"Ý kiến số {v}-{i} của bà con" for i in range(60)]
        villages += [f"T{v}"] * (8 + v % 3 + 60)
    assert A.identical_opinions(texts, villages) == ()
    texts += [popular] * 60  # one village writes it on half its phiếu, the others on one in seven: copied
    villages += ["T3"] * 60
    (indicator,) = A.identical_opinions(texts, villages)
    assert indicator.subject == "T3" and indicator.evidence["rate_elsewhere"] < 0.2


def test_short_texts_and_pairs_are_not_copies():
    assert A.identical_opinions(["Đường xấu"] * 40) == ()  # two words: no fingerprint
    assert A.identical_opinions([COPIED] * 2 + ["x y z"] * 3) == ()
    assert A.identical_opinions([COPIED] * 3, min_copies=4) == ()


def test_the_longer_the_sentence_the_fewer_copies_stand_out():
    assert I.coincidence_rate(2) == 1.0 and I.coincidence_rate(5) == 0.05
    assert I.coincidence_rate(7) > I.coincidence_rate(10) > I.coincidence_rate(14) >= I.coincidence_rate(60) == 0.001


@settings(max_examples=120)
@given(st.lists(st.tuples(st.one_of(st.none(), st.text(max_size=60)), st.sampled_from(["T1", "T2", None])),
                max_size=80))
def test_any_text_is_judged_without_error(rows):
    texts = [t for t, _ in rows] * 3
    villages = [v for _, v in rows] * 3
    for indicator in A.identical_opinions(texts, villages):
        assert indicator.evidence["village_copies"] >= 3
        as_json(indicator)


def test_identical_opinions_parameters():
    with pytest.raises(ValueError):
        A.identical_opinions(["a b c"], ["T1", "T2"])
    with pytest.raises(ValueError):
        A.identical_opinions([3])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        I.repeated_opinions([("a b c", None, 1)], alpha=0)
    (indicator,) = A.identical_opinions(["Không có ý kiến gì thêm"] * 30, ordinary=())
    assert indicator.evidence["copies"] == 30
