"""Log in and out of the staff console; failed attempts are throttled and audited (services/signin.py)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_url, login_user, logout_user

from ..extensions import db, login_manager
from ..i18n import _, ngettext
from ..services import accounts, signin, throttle
from ..web import local_path
from . import bp
from ._common import actor, attempt
from .forms import ActionForm, LoginForm, OwnPasswordForm

#: Set at login, removed at logout: a request without a session but with this cookie had a session
#: that expired (or was ended elsewhere), which the login page then says.
SIGNED_IN_COOKIE = "staff_signed_in"


@bp.before_request
def require_login():
    """Every staff page needs a logged-in user, except the login page itself and static files."""
    if request.endpoint in ("staff.login", "staff.static") or current_user.is_authenticated:
        return None
    if request.cookies.get(SIGNED_IN_COOKIE):
        flash(_("Phiên làm việc đã hết hạn hoặc đã kết thúc. Vui lòng đăng nhập lại."), "info")
        response = redirect(login_url(login_manager.login_view, next_url=request.url))
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response
    return login_manager.unauthorized()


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form and sign the user in."""
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(".dashboard"))
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if request.method == "POST" else 200
    try:
        user = signin.authenticate(form.username.data, form.password.data, request.remote_addr)
    except throttle.Exhausted as exhausted:
        db.session.commit()  # the lockout's audit entry, if this refusal began it
        wait = ngettext("Quá nhiều lần thử đăng nhập sai. Vui lòng thử lại sau %(num)d phút.",
                        "Quá nhiều lần thử đăng nhập sai. Vui lòng thử lại sau %(num)d phút.", exhausted.minutes)
        return (render_template("staff/login.html", form=form, blocked=wait), 429,
                {"Retry-After": str(exhausted.retry_after)})
    if user is None:
        db.session.commit()
        return render_template("staff/login.html", form=form, failed=True), 200
    session.clear()  # a fresh session: nothing from before the login survives (fixation)
    session.permanent = True  # expires after PERMANENT_SESSION_LIFETIME without activity
    login_user(user)
    attempt(signin.signed_in, user)
    response = redirect(local_path(form.next.data, url_for(".dashboard")))
    response.set_cookie(SIGNED_IN_COOKIE, "1", max_age=30 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.post("/logout")
@login_required
def logout():
    """Sign the user out, here and on every device (a copied session cookie stops working too)."""
    if ActionForm().validate_on_submit():
        attempt(signin.signed_out, actor())
        logout_user()
        session.clear()
        flash(_("Đã đăng xuất."), "success")
    response = redirect(url_for(".login"))
    response.delete_cookie(SIGNED_IN_COOKIE)
    return response


@bp.route("/password", methods=["GET", "POST"])
@login_required
def own_password():
    """Let a user change their own password; their other sessions end, this one goes on."""
    form = OwnPasswordForm()
    errors: list[str] = []
    user = actor()
    if form.validate_on_submit():
        if not accounts.check_password(user, form.current.data):
            errors = [_("Mật khẩu hiện tại không đúng.")]
        elif form.password.data == form.current.data:
            errors = [_("Mật khẩu mới phải khác mật khẩu hiện tại.")]
        else:
            errors = accounts.password_problems(form.password.data, user.username)
        if not errors:
            revoked, _errors = attempt(accounts.change_own_password, user, form.password.data)
            login_user(user)  # the session carries the new epoch
            flash(_("Đã đổi mật khẩu."), "success")
            if revoked:
                flash(ngettext("Đã thu hồi %(num)s mã truy cập API của bạn: tạo mã mới cho công cụ còn cần dùng.",
                               "Đã thu hồi %(num)s mã truy cập API của bạn: tạo mã mới cho công cụ còn cần dùng.",
                               revoked), "info")
            return redirect(url_for(".dashboard"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form, errors=errors, user=current_user), status
