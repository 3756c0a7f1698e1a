"""One vocabulary: a status, a channel and an answer have one wording, on the enums, used by pages and exports."""
from __future__ import annotations

import pytest
from flask_babel import force_locale

from survey_app.exports import labels
from survey_app.models import AnswerValue, Channel, SurveyStatus


@pytest.mark.parametrize(("enum", "label_of"), [(SurveyStatus, labels.status_label),
                                                (Channel, labels.channel_label),
                                                (AnswerValue, labels.answer_label)])
def test_exports_read_the_words_on_the_enums(app, enum, label_of):
    with app.test_request_context():
        for member in enum:
            assert label_of(member.value) == member.label and member.label


def test_the_wording_residents_read_on_the_results_page_is_the_one_wording(app):
    with app.test_request_context():
        assert [c.label for c in Channel] == ["Trực tuyến", "Phiếu giấy", "Họp thôn"]
        assert AnswerValue.BLANK.label == "Không xác định"
        with force_locale("en"):  # looked up when read, in the reader's language
            assert Channel.WEB.label != "Trực tuyến" and SurveyStatus.OPEN.label != "Đang lấy ý kiến"


def test_unknown_codes_are_shown_as_they_are(app):
    with app.test_request_context():
        assert labels.channel_label("fax") == "fax" and labels.status_label("x") == "x"
        assert labels.answer_label(7) == ""
