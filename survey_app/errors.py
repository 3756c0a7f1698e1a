"""Domain exceptions raised by non-web code, and the error pages."""
from __future__ import annotations

import contextlib
import logging
import math
import time

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .extensions import db, limiter
from .i18n import _


class SurveyAppError(Exception):
    """Base of the errors this application raises on purpose."""


class InputError(SurveyAppError):
    """User input that cannot be accepted; ``errors`` lists (line, message) pairs when it comes from a file."""

    def __init__(self, message: str, errors: list[tuple[int, str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []

    def __str__(self) -> str:
        lines = [self.message] + [
            _("Dòng %(line)s: %(message)s", line=n, message=m) if n else m for n, m in self.errors
        ]
        return "\n".join(lines)


class StateError(SurveyAppError):
    """An action that the survey's current state does not allow (e.g. opening a closed survey)."""


#: Titles and explanations of the error pages, by status code.
def _messages(code: int) -> tuple[str, str]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Trang không hiểu được yêu cầu. Vui lòng quay lại và thử lại.")),
        403: (_("Không có quyền truy cập"), _("Tài khoản của bạn không được xem hoặc thay đổi nội dung này.")),
        404: (_("Không tìm thấy trang"), _("Địa chỉ này không có trên hệ thống. Vui lòng kiểm tra lại.")),
        405: (_("Yêu cầu không hợp lệ"), _("Trang không nhận kiểu yêu cầu này.")),
        413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá dung lượng cho phép.")),
        429: (
            _("Quá nhiều lần thử"),
            _("Đã có quá nhiều lần thử trong thời gian ngắn. Vui lòng đợi vài phút rồi thử lại."),
        ),
        500: (
            _("Hệ thống đang gặp sự cố"),
            _("Đã có lỗi ở phía máy chủ; câu trả lời chưa được ghi nhận. Vui lòng thử lại sau ít phút."),
        ),
        503: (
            _("Hệ thống tạm thời bận"),
            _("Máy chủ tạm thời không kết nối được cơ sở dữ liệu; câu trả lời chưa được ghi nhận. "
              "Vui lòng thử lại sau ít giây."),
        ),
    }.get(code, (_("Có lỗi xảy ra"), _("Vui lòng thử lại.")))


def error_title(code: int) -> str:
    """The short title of an error status, in the user's language (the API's default message)."""
    return _messages(code)[0]


def render_error(code: int, message: str | None = None):
    """Render the error page for ``code``, optionally with a more precise message."""
    title, text = _messages(code)
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


#: SQLSTATEs of a database that went away: connection exceptions (class 08) and an administrator or crash
#: shutdown (57P01–57P03). Anything else (deadlocks, timeouts, a full disk) is a real fault: a 500, logged.
_UNAVAILABLE_STATES = ("57P01", "57P02", "57P03")


def database_unavailable(error: Exception) -> bool:
    """Whether ``error`` means the database cannot be reached right now (retry shortly), not a bad statement."""
    if not isinstance(error, OperationalError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)  # psycopg: None when no connection could be made at all
    return state is None or state.startswith("08") or state in _UNAVAILABLE_STATES


RETRY_AFTER = "5"


def log_unavailable(error: OperationalError) -> None:
    """Log a lost database connection (driver error class and SQLSTATE) and drop the broken transaction."""
    logging.getLogger(__name__).warning("database unavailable: %s (SQLSTATE %s)", type(error.orig).__name__,
                                        getattr(error.orig, "sqlstate", None))
    with contextlib.suppress(DBAPIError):
        db.session.rollback()


def csrf_error_page():
    """The page of a form sent without a valid CSRF token (the resident phiếu has its own: respond/views.py)."""
    return render_error(400, _("Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ. Vui lòng tải lại trang và gửi lại."))


def register_error_handlers(app: Flask) -> None:
    """Answer every error with a page in the user's language; a 500 rolls the session back."""
    from .services.throttle import Exhausted

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return csrf_error_page()

    @app.errorhandler(Exhausted)
    def budget_spent(error: Exhausted):
        """A budget of failures spent where no page of its own says so: the 429 page, with Retry-After."""
        db.session.rollback()
        page, status = render_error(429)
        return page, status, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(429)
    def too_many(error: HTTPException):
        """A rate limit: the page says to wait, Retry-After says how long (until the limit's window resets)."""
        page, status = render_error(429)
        reset_at = getattr(limiter.current_limit, "reset_at", None)
        wait = max(1, math.ceil(reset_at - time.time())) if reset_at else 60
        return page, status, {"Retry-After": str(wait)}

    @app.errorhandler(OperationalError)
    def unavailable(error: OperationalError):
        """A lost or refused database connection (a restart, a failover) is temporary: 503, retry shortly."""
        if not database_unavailable(error):
            raise error
        log_unavailable(error)
        page, status = render_error(503)
        return page, status, {"Retry-After": RETRY_AFTER}

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
