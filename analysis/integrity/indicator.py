"""The result type shared by every integrity indicator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["SEVERITIES", "Indicator"]

#: Severity codes: ``info`` (worth a note), ``warning`` (check it), ``alert`` (check it first).
SEVERITIES = ("info", "warning", "alert")


@dataclass(frozen=True, slots=True)
class Indicator:
    """One triggered anomaly: `kind`, `severity`, the `subject` it concerns, and its `evidence`."""

    kind: str
    severity: str
    subject: str | None
    evidence: Mapping[str, object] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "evidence", MappingProxyType(dict(self.evidence)))
