"""Who is logged in: the Flask-Login user loader."""
from __future__ import annotations

from .extensions import db, login_manager
from .i18n import _l
from .models import User

login_manager.login_view = "staff.login"
login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the logged-in user from the session: the account must exist, be active, and not have ended
    its sessions since this one began (logout, password change)."""
    ident, _, epoch = user_id.partition(".")
    user = db.session.get(User, int(ident)) if ident.isdigit() and len(ident) < 19 else None
    if user is None or not user.active or epoch != str(user.session_epoch):
        return None
    return user
