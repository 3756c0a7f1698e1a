"""Gunicorn's own error log, redacted: it would otherwise print "Error handling request /s/<code>"."""
from __future__ import annotations

import logging

from gunicorn.glogging import Logger

from .logs import redact


class RedactFilter(logging.Filter):
    """Blank household codes, receipts, resident paths and IP addresses in a record and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class RedactingLogger(Logger):
    """Gunicorn's logger with every handler filtered (``logger_class`` in gunicorn.conf.py)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers + self.access_log.handlers:
            handler.addFilter(RedactFilter())
