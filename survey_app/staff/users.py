"""Account management for admins: list, create, deactivate, reset a password."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..extensions import db
from ..i18n import _, ngettext
from ..models import Role, User
from ..scope import current_scope, in_scope, roles_required
from ..services import accounts
from . import bp
from ._common import actor, attempt
from .forms import ActionForm, PasswordForm, UserForm


def _flash_revoked(count: int, user: User) -> None:
    """Say how many API tokens of the account were revoked, when there were any."""
    if count:
        flash(ngettext("Đã thu hồi %(num)s mã truy cập API của %(name)s.",
                       "Đã thu hồi %(num)s mã truy cập API của %(name)s.", count, name=user.username), "info")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users():
    """List the accounts the admin manages."""
    accounts_list = list(db.session.execute(current_scope().accounts()).scalars())
    names = accounts.unit_names({u.unit_code for u in accounts_list if u.unit_code})
    return render_template("staff/users.html", users=accounts_list, action_form=ActionForm(), unit_names=names)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user():
    """Create an account with a role and a unit."""
    form = UserForm()
    errors: list[str] = []
    if form.validate_on_submit():
        unit = (form.unit_code.data or "").strip() or None
        if not current_scope().may_create_account(Role(form.role.data), unit):
            errors = [_("Bạn chỉ tạo được tài khoản cán bộ, kiểm tra trong đơn vị mình phụ trách (%(unit)s).",
                        unit=current_user.unit_code)]
        else:
            user, errors = attempt(accounts.create_user, form.username.data, form.password.data,
                                   Role(form.role.data), unit, full_name=(form.full_name.data or "").strip(),
                                   actor=actor())
            if user is not None:
                flash(_("Đã tạo tài khoản %(name)s.", name=user.username), "success")
                return redirect(url_for(".users"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/user_new.html", form=form, errors=errors), status


@bp.post("/users/<int:user_id>/active")
@roles_required(Role.ADMIN)
def set_active(user_id: int):
    """Deactivate (or reactivate) an account; a deactivated user is logged out at the next request."""
    user = in_scope(User, user_id)
    if ActionForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("Không thể tự khóa tài khoản của mình."), "error")
        else:
            revoked, _errors = attempt(accounts.set_active, user, request.form.get("active") == "1", actor=actor())
            flash(_("Đã mở lại tài khoản %(name)s.", name=user.username) if user.active
                  else _("Đã khóa tài khoản %(name)s.", name=user.username), "success")
            _flash_revoked(revoked, user)
    return redirect(url_for(".users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    """Set a new password for an account (to hand over in person)."""
    user = in_scope(User, user_id)
    form = PasswordForm()
    errors: list[str] = []
    if form.validate_on_submit():
        errors = accounts.password_problems(form.password.data, user.username)
        if not errors:
            revoked, _errors = attempt(accounts.reset_password, user, form.password.data, actor=actor())
            flash(_("Đã đặt lại mật khẩu cho %(name)s.", name=user.username), "success")
            _flash_revoked(revoked, user)
            return redirect(url_for(".users"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form, errors=errors, user=user), status
