"""Builders of test data shared by the suite: the demo commune's survey with issued codes."""
from __future__ import annotations

import os

from survey_app.extensions import db

UNITS = os.path.join(os.path.dirname(__file__), "..", "survey_app", "data", "vn-units")
DEMO_COMMUNE = "21040"


def make_survey(app, *, template="xa-ntm-2026", villages=(("T01", "Thôn Một", 3), ("T02", "Thôn Hai", 2)),
                status="open", start=None, spare=0.0):
    """Create a survey of commune 21040 with issued codes; return (survey_id, [IssuedCode...])."""
    from survey_app.models import Commune, Province
    from survey_app.services.issuing import issue_codes
    from survey_app.services.surveys import create_survey, default_window_end, transition
    from survey_app.services.units import FrameRow

    with app.app_context():
        if db.session.get(Province, "51") is None:
            db.session.add(Province(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", type="Tỉnh"))
            db.session.add(Commune(code=DEMO_COMMUNE, name="Bình Sơn", full_name="Xã Bình Sơn", type="Xã",
                                   province_code="51"))
            db.session.flush()
        frame = [FrameRow(i, c, n, h) for i, (c, n, h) in enumerate(villages, 2)]
        survey = create_survey(template, DEMO_COMMUNE, frame, actor_name="test")
        if status in ("open", "closed", "published"):
            transition(survey, "open", actor_name="test")
        if start is not None:  # a survey of another time: its window, set as the database would hold it
            survey.start_date, survey.end_date = start, default_window_end(start)
        issued = issue_codes(survey, spare_share=spare, actor_name="test")
        if status in ("closed", "published"):
            transition(survey, "close", actor_name="test")
        if status == "published":
            transition(survey, "publish", actor_name="test")
        db.session.commit()
        return survey.id, issued


def app_config(url: str) -> dict:
    """The configuration of a test app on the database at ``url``."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SURVEY_CODE_KEY": "test-household-code-key",
        "SURVEY_AUDIT_KEY": "test-audit-chain-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "SURVEY_PUBLIC_URL": "http://survey.test",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
