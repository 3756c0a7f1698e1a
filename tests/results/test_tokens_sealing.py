"""A just-created API token rides in the session sealed by survey_app/keys, and survives a rotation of the
secret key (SECRET_KEY_FALLBACKS) between the redirect and the page that shows it."""
from __future__ import annotations

import base64

from survey_app import keys
from survey_app.results.tokens import CREATED_KEY, SEAL_PURPOSE

from .factories import add_user, log_in
from .test_tokens import TOKEN, csrf


def test_the_token_in_the_session_is_sealed_by_the_keys_module_and_outlives_a_secret_rotation(app, client):
    log_in(app, client, add_user(app, "kiemtra"))
    assert client.post("/results/tokens", data={"csrf_token": csrf(client), "name": "một"}).status_code == 303
    with client.session_transaction() as session:
        sealed = session[CREATED_KEY]
    with app.app_context():
        ring = keys.session_keyring()
        assert base64.urlsafe_b64decode(sealed)[:5] == keys.VERSION + ring.primary.kid
        clear = keys.open_text(ring, SEAL_PURPOSE, sealed)
    assert clear.startswith("ntm_")
    app.config.update(SECRET_KEY="a-new-secret-key-after-rotation", SECRET_KEY_FALLBACKS=["test-secret-key"])
    page = client.get("/results/tokens")
    assert TOKEN.findall(page.get_data(as_text=True)) == [clear]
