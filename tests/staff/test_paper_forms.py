"""The console's button per village: the machine-readable paper phiếu of that village, as PDF."""
from __future__ import annotations

from bench.paper.raster import pdf_pages, qr_text
from survey_app.extensions import db
from survey_app.models import AuditEntry
from survey_app.paper_scan import payload

from ..factories import make_survey


def test_codes_page_offers_each_village_s_phieu_and_the_download_is_logged(app, as_user):
    survey_id, issued = make_survey(app, villages=(("T01", "Thôn Một", 1), ("T02", "Thôn Hai", 2)))
    with app.app_context():
        from survey_app.models import Survey

        frames = [f.id for f in db.session.get(Survey, survey_id).frame]
    client = as_user("staff_commune")
    page = client.get(f"/staff/surveys/{survey_id}/codes").get_data(as_text=True)
    for frame_id in frames:
        assert f"/staff/surveys/{survey_id}/paper-forms.pdf?village={frame_id}" in page
    response = client.get(f"/staff/surveys/{survey_id}/paper-forms.pdf?village={frames[1]}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    codes = {payload.parse(qr_text(image)).code for image in pdf_pages(response.data, 100)}
    assert codes == {slip.display for slip in issued if slip.village_code == "T02"}
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="paper.print").one()
        assert entry.survey_id == survey_id and entry.details == {"count": 2, "village": "T02"}
    assert client.get(f"/staff/surveys/{survey_id}/paper-forms.pdf?village=999999").status_code == 404
    assert client.get(f"/staff/surveys/{survey_id}/paper-forms.pdf?village=x").status_code == 404
    assert "paper-forms.pdf" not in as_user("auditor_province").get(f"/staff/surveys/{survey_id}/codes").get_data(
        as_text=True)
