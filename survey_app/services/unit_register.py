"""The units register as the console shows and edits it: counts, a commune's villages, and the audited edits
(the national lists' import, a village added, the villages table saved, a commune's village file)."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select

from ..errors import InputError
from ..extensions import db
from ..i18n import _
from ..models import Commune, Province, User, Village
from . import audit
from .units import FrameRow, import_unit_files, read_frame, upsert_village


def register_totals() -> dict[str, int]:
    """How many provinces and communes the register holds."""
    return {"provinces": db.session.execute(select(func.count()).select_from(Province)).scalar_one(),
            "communes": db.session.execute(select(func.count()).select_from(Commune)).scalar_one()}


def village_counts(commune_codes: list[str]) -> dict[str, int]:
    """The number of villages of each of these communes (communes without any are left out)."""
    if not commune_codes:
        return {}
    return dict(db.session.execute(select(Village.commune_code, func.count())
                                   .where(Village.commune_code.in_(commune_codes))
                                   .group_by(Village.commune_code)).all())


def villages_of(commune_code: str) -> list[Village]:
    """A commune's villages in the order of their codes."""
    return list(db.session.execute(select(Village).where(Village.commune_code == commune_code)
                                   .order_by(Village.code)).scalars())


def import_register(paths: list[Path], file_names: list[str], *, actor: User) -> dict[str, int]:
    """Import the national lists (all or nothing, ``import_unit_files``), audited; the counts imported."""
    counts = import_unit_files(paths)
    audit.record("units.import", actor=actor, files=file_names, **counts)
    return counts


def add_village(commune_code: str, code: str, name: str, households: int, *, actor: User) -> Village:
    """Add a village to a commune (or update the one with this code), audited."""
    village = upsert_village(commune_code, code, name, households)
    audit.record("villages.add", actor=actor, commune=commune_code, village=code, households=households)
    return village


def save_villages(commune_code: str, edits: Iterable[tuple[int | None, str, int]], *, actor: User) -> int:
    """Give a commune's villages the (village id, name, households) edited in its table: an id of another
    commune (or none) is ignored; the changes are audited. Return the number of villages changed."""
    known = {v.id: v for v in villages_of(commune_code)}
    changes = []
    for village_id, name, households in edits:
        village = known.get(village_id)
        if village is not None and (village.name, village.households) != (name, households):
            changes.append({"code": village.code, "name": name, "households": households,
                            "was": village.households})
            village.name, village.households = name, households
    if changes:
        audit.record("villages.update", actor=actor, commune=commune_code, changes=changes)
    return len(changes)


def import_villages(commune_code: str, data: bytes, source: str, *, actor: User) -> list[FrameRow]:
    """Add or update a commune's villages from a file (village code, name, households), all or nothing,
    audited; a row of another commune refuses the whole file."""
    rows = read_frame(data, source=source)
    if any(row.commune_code and row.commune_code != commune_code for row in rows):
        raise InputError(_("Tệp có thôn của xã khác; chưa có gì được ghi."))
    for row in rows:
        upsert_village(commune_code, row.village_code, row.village_name, row.households)
    audit.record("villages.import", actor=actor, commune=commune_code, villages=len(rows),
                 households=sum(r.households for r in rows))
    return rows
