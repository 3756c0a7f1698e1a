"""Data versions: how many committed writes changed what a survey's live results show."""
from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class DataVersion(db.Model):
    """Committed writes per scope (a survey's id, or 0 for the units register), in a few shards per scope.

    Every write to a survey adds one to one shard of its scope in its own transaction
    (``services/data_version.py``); the version is the sum over the shards. Shards let concurrent writers
    of one survey (residents answering at once) update different rows instead of waiting for one another.
    No foreign key: a deleted draft's count stays, harmless.
    """

    __tablename__ = "data_version"
    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shard: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    writes: Mapped[int] = mapped_column(BigInteger, default=0)
