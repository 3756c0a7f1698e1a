"""Administrative units: provinces, communes (official codes) and villages (thôn, ấp, bản)."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class _Named:
    """The names every official unit has: short (``Ba Đình``) and full (``Phường Ba Đình``)."""

    name: Mapped[str] = mapped_column(String(120))
    full_name: Mapped[str] = mapped_column(String(160))


class Province(_Named, db.Model):
    """A provincial-level unit (tỉnh or centrally governed city)."""

    __tablename__ = "province"
    #: Official 2-digit code, e.g. ``01``.
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    type: Mapped[str] = mapped_column(String(80))

    communes: Mapped[list[Commune]] = relationship(back_populates="province", order_by="Commune.code")


class Commune(_Named, db.Model):
    """A commune-level unit (xã, phường, đặc khu)."""

    __tablename__ = "commune"
    #: Official 5-digit code, e.g. ``00004``.
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)

    province: Mapped[Province] = relationship(back_populates="communes")
    villages: Mapped[list[Village]] = relationship(back_populates="commune", order_by="Village.code")


class Village(db.Model):
    """A residential area of a commune (thôn, ấp, bản, tổ dân phố) with its household count."""

    __tablename__ = "village"
    __table_args__ = (UniqueConstraint("commune_code", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    #: Local code given by the commune (villages have no national code).
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    #: Households on the commune's list; a survey copies it into its frame.
    households: Mapped[int] = mapped_column(default=0)

    commune: Mapped[Commune] = relationship(back_populates="villages")
