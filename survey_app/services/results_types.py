"""What every model of the results document is built from: one configuration and the value types.

Every model forbids fields it does not name, is frozen, and takes its fields' descriptions from their
docstrings (so the OpenAPI schema describes them).
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, PlainSerializer

__all__ = ["CONFIG", "Count", "Model", "Rate", "Share", "Timestamp", "optional"]

Count = NonNegativeInt
#: A proportion in [0, 1] (a satisfaction rate, an interval limit, a probability).
Rate = Annotated[float, Field(ge=0, le=1)]
#: Respondents / households: may pass 1 when spare slips were answered.
Share = Annotated[float, Field(ge=0)]
#: A moment, written as ISO 8601 text to the second with its offset (``2026-03-02T08:15:00+00:00``).
Timestamp = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(timespec="seconds"), return_type=str)]

CONFIG = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Model(BaseModel):
    """A part of the results document."""

    model_config = CONFIG


def _absent_when_unset(schema: dict[str, Any]) -> None:
    """An optional field's schema: absent when unset, so no ``default: null`` to describe."""
    schema.pop("default", None)


def optional(description: str):
    """A field that is absent, never null, when unset (published documents' extras)."""
    return Field(default=None, description=description, json_schema_extra=_absent_when_unset)
