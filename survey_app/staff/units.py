"""Administrative units: import the national lists (admins), villages of a commune with household counts."""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import or_
from werkzeug.utils import secure_filename

from ..i18n import _
from ..models import Commune, Role
from ..scope import current_scope, in_scope, may_change, roles_required
from ..services import unit_register
from . import bp
from ._common import ALL_ROLES, EDITORS, actor, attempt, flash_problems, paginate
from .forms import FrameFileForm, UnitsImportForm, VillageForm, VillagesForm


def commune_for(code: str, *, edit: bool = False) -> Commune:
    """A commune the current user may see (or change): 404 if unknown, 403 if out of scope."""
    return in_scope(Commune, (code or "").strip(), edit=edit)


@bp.get("/units")
@roles_required(*ALL_ROLES)
def units():
    """List the communes in scope (searchable); admins also import the national lists here."""
    query = current_scope().communes()
    q = request.args.get("q", "").strip()[:80]
    if q:
        like = f"%{q}%"
        query = query.where(or_(Commune.code == q, Commune.name.ilike(like), Commune.full_name.ilike(like)))
    page = paginate(query, per_page=50)
    villages = unit_register.village_counts([c.code for c in page.items])
    totals = unit_register.register_totals()
    can_import = current_scope().national
    return render_template("staff/units.html", page=page, q=q, villages=villages, totals=totals,
                           import_form=UnitsImportForm() if can_import else None)


@bp.post("/units/import")
@roles_required(Role.ADMIN)
def import_units():
    """Import provinces.csv and communes.csv (all or nothing; errors name the file and line)."""
    if not current_scope().national:
        abort(403)
    form = UnitsImportForm()
    uploads = [f for f in (form.files.data or []) if f and f.filename] if form.validate_on_submit() else []
    if not uploads:
        flash_problems([_("Hãy chọn ít nhất một tệp CSV.")])
        return redirect(url_for(".units"))
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, upload in enumerate(uploads):  # one folder per file keeps its name for the messages
            path = Path(folder) / str(number) / (secure_filename(upload.filename) or "units.csv")
            path.parent.mkdir()
            upload.save(path)
            paths.append(path)
        counts, errors = attempt(unit_register.import_register, paths, [u.filename for u in uploads], actor=actor())
    if errors:
        flash_problems(errors)
    else:
        flash(_("Đã nhập %(p)s tỉnh và %(c)s xã.", p=counts["provinces"], c=counts["communes"]), "success")
    return redirect(url_for(".units"))


def _villages_page(commune: Commune, status: int = 200, errors: list[str] | None = None, add_form=None,
                   table_form=None):
    villages = unit_register.villages_of(commune.code)
    if table_form is None:
        table_form = VillagesForm(data={"villages": [
            {"village_id": v.id, "name": v.name, "households": v.households} for v in villages]})
    rows = list(zip(villages, table_form.villages, strict=False))
    editable = may_change(commune)
    return render_template("staff/villages.html", commune=commune, rows=rows, table_form=table_form,
                           add_form=add_form or VillageForm(), frame_form=FrameFileForm(), editable=editable,
                           total=sum(v.households for v in villages), errors=errors or []), status


def _saved(commune: Commune, message: str):
    """Back to the commune's villages with ``message`` (what was saved)."""
    flash(message, "success")
    return redirect(url_for(".villages", code=commune.code))


@bp.get("/units/<code>/villages")
@roles_required(*ALL_ROLES)
def villages(code: str):
    """Show the villages of a commune with their household counts."""
    return _villages_page(commune_for(code))


@bp.post("/units/<code>/villages")
@roles_required(*EDITORS)
def save_villages(code: str):
    """Save the edited names and household counts of every village at once."""
    commune = commune_for(code, edit=True)
    form = VillagesForm()
    if not form.validate_on_submit():
        return _villages_page(commune, 422, [_("Có ô chưa hợp lệ; chưa lưu gì.")], table_form=form)
    edits = [(int(row.village_id.data) if (row.village_id.data or "").isdigit() else None,
              row.form.name.data.strip(), row.form.households.data) for row in form.villages]
    changed, _errors = attempt(unit_register.save_villages, commune.code, edits, actor=actor())
    return _saved(commune, _("Đã lưu %(n)s thay đổi.", n=changed))


@bp.post("/units/<code>/villages/add")
@roles_required(*EDITORS)
def add_village(code: str):
    """Add one village (or update the one with the same code)."""
    commune = commune_for(code, edit=True)
    form = VillageForm()
    if not form.validate_on_submit():
        return _villages_page(commune, 422, [_("Thôn mới chưa hợp lệ.")], add_form=form)
    village_code, name = form.code.data.strip(), form.name.data.strip()
    _village, errors = attempt(unit_register.add_village, commune.code, village_code, name, form.households.data,
                               actor=actor())
    if errors:
        return _villages_page(commune, 422, errors, add_form=form)
    return _saved(commune, _("Đã lưu %(name)s.", name=name))


@bp.post("/units/<code>/villages/frame")
@roles_required(*EDITORS)
def upload_villages(code: str):
    """Add or update villages from a CSV (village_code, village_name, households), all or nothing."""
    commune = commune_for(code, edit=True)
    form = FrameFileForm()
    upload = form.frame.data if form.validate_on_submit() else None
    if not upload or not upload.filename:
        return _villages_page(commune, 422, [_("Hãy chọn tệp danh sách thôn.")])
    rows, errors = attempt(unit_register.import_villages, commune.code, upload.read(),
                           secure_filename(upload.filename) or "frame.csv", actor=actor())
    if errors:
        return _villages_page(commune, 422, errors)
    return _saved(commune, _("Đã nhập %(n)s thôn.", n=len(rows)))
