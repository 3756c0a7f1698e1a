"""API token management: users create and revoke their own tokens; administrators may revoke any."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from .. import keys
from ..errors import InputError
from ..extensions import db
from ..i18n import _, _l
from ..models import ApiToken, Role
from ..scope import in_scope
from ..services import api_tokens
from . import bp

#: Session key holding a just-created token, encrypted, until the page after the redirect shows it (once).
CREATED_KEY = "api_token_created"


#: Purpose of the key that seals a just-created token in the session (survey_app/keys).
SEAL_PURPOSE = "api-token-shown-once"


def _seal(token: str) -> str:
    """Encrypt a token for the (signed, not encrypted) session cookie: it never travels in clear."""
    return keys.seal_text(keys.session_keyring(), SEAL_PURPOSE, token)


def _unseal(sealed: str | None) -> str | None:
    return keys.open_text(keys.session_keyring(), SEAL_PURPOSE, sealed)


class TokenForm(FlaskForm):
    """Name of a new token, e.g. the tool that will use it."""

    name = StringField(_l("Tên gợi nhớ (ví dụ: công cụ đối chiếu của đoàn thẩm tra)"),
                       validators=[InputRequired(_l("Vui lòng đặt tên cho mã truy cập.")),
                                   Length(max=api_tokens.NAME_MAX)])


class RevokeForm(FlaskForm):
    """A button that revokes one token (CSRF-protected)."""


def _page(form: TokenForm, created: str | None = None, status: int = 200):
    tokens = api_tokens.tokens_visible_to(current_user)
    response = render_template("results/tokens.html", form=form, revoke_form=RevokeForm(), tokens=tokens,
                               created=created, is_admin=current_user.role is Role.ADMIN)
    return response, status, {"Cache-Control": "no-store"}


@bp.get("/tokens")
@login_required
def tokens():
    """List the user's API tokens (every token for an administrator) and offer to create one.

    A token created just before (see ``create_token``) is taken out of the session and shown this once.
    """
    return _page(TokenForm(), created=_unseal(session.pop(CREATED_KEY, None)))


@bp.post("/tokens")
@login_required
def create_token():
    """Create a token, then redirect (Post/Redirect/Get) to the page that shows it once.

    Only the token's hash is stored in the database; the token rides, encrypted (AES-GCM under a key
    derived from the secret key), in the session cookie to the next page view, which removes it, so
    reloading that page neither shows it again nor creates another token.
    """
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        _row, clear = api_tokens.create_token(current_user, form.name.data)
    except InputError as error:
        db.session.rollback()
        form.name.errors = [error.message]
        return _page(form, status=422)
    db.session.commit()
    session[CREATED_KEY] = _seal(clear)
    return redirect(url_for(".tokens"), code=303)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke a token: the owner's own, or any token for an administrator."""
    if not RevokeForm().validate_on_submit():
        abort(400)
    token = in_scope(ApiToken, token_id, edit=True)
    api_tokens.revoke(token, actor=current_user)
    db.session.commit()
    flash(_("Đã thu hồi mã truy cập “%(name)s”.", name=token.name), "success")
    return redirect(url_for(".tokens"), code=303)
