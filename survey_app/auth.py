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
    """Load the logged-in user from the session, if the account still exists and is active."""
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None
