"""No staff route answers 500, whatever is posted or asked for."""
from __future__ import annotations

import pytest

from .accounts import token
from .test_scope import ROUTES

FIELDS = ("username", "password", "confirm", "role", "unit_code", "full_name", "active", "code", "name",
          "households", "template", "start", "margin", "villages-0-village_id", "villages-0-households",
          "villages-0-include", "villages-0-name", "rules-0-threshold", "justification", "spare_percent",
          "serial", "reason", "village", "channel", "label", "slip", "answers", "opinion", "change_reason",
          "use", "next", "q")


@pytest.mark.parametrize("value", ["", "-1", "0", "9" * 30, "x" * 5000, "🙂 <script>", "2026-02-30", "1e309",
                                   "NaN", "../../etc/passwd"])
def test_every_post_survives_any_value(as_user, scene, value):
    client = as_user("admin")
    csrf = token(client)
    failures = []
    for method, template, _kind, _data in ROUTES:
        if method != "POST":
            continue
        path = template.format(**scene)
        response = client.post(path, data={"csrf_token": csrf, **dict.fromkeys(FIELDS, value)})
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
    assert not failures


@pytest.mark.parametrize("path", [
    "/staff/surveys/999999", "/staff/surveys/999999/codes.csv", "/staff/surveys/{sid}/paper/999999",
    "/staff/surveys/{sid}/responses/999999", "/staff/surveys/{sid}/slips.pdf?village=999999",
    "/staff/surveys/{sid}/slips.pdf?serial=abc", "/staff/audit?survey=abc&page=-5",
    "/staff/units?q=%25%27%22", "/staff/surveys/new?unit=%00", "/staff/users/999999/password",
    "/staff/surveys/99999999999999999999", "/staff/surveys/{sid}/paper/99999999999999999999/report",
    "/staff/audit?survey=99999999999999999999", "/staff/surveys/{sid}/slips.pdf?serial=99999999999999999999",
    "/results/99999999999999999999", "/results/99999999999999999999/niem-yet",
    "/api/v1/surveys/99999999999999999999/results",
])
def test_unknown_things_are_404_or_handled(as_user, scene, path):
    response = as_user("admin").get(path.format(**scene))
    assert response.status_code in (200, 400, 404, 422)


def test_missing_csrf_token_is_refused_politely(as_user, scene):
    response = as_user("staff_commune").post(f"/staff/surveys/{scene['sid']}/close")
    assert response.status_code == 400 and "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)


def test_revoking_an_impossible_token_id_is_a_404(as_user, scene):
    client = as_user("admin")
    response = client.post("/results/tokens/99999999999999999999/revoke", data={"csrf_token": token(client)})
    assert response.status_code == 404
