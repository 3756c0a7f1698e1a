"""``flask paper``: printable, machine-readable paper phiếu."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ._common import CLI_ACTOR, load_survey, output_file, unit_of_work

paper = AppGroup("paper", help="Machine-readable paper phiếu: print them, read their scans.")


@paper.command("print")
@click.argument("survey_id", type=int)
@click.option("--village", "village_code", default=None, help="Only this village (its code in the frame).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              callback=output_file, help="The PDF file to write.")
def print_command(survey_id: int, village_code: str | None, out_path: Path) -> None:
    """Write one A4 phiếu per unused household code (of one village, or all) as PDF; logged as an export."""
    from ..services.paper_forms import print_forms

    with unit_of_work():
        survey = load_survey(survey_id)
        frame = None
        if village_code is not None:
            frame = next((f for f in survey.frame if f.village.code == village_code), None)
            if frame is None:
                raise click.ClickException(f"No village {village_code} in survey {survey_id}.")
        data, count = print_forms(survey, frame_village_id=frame.id if frame else None, actor_name=CLI_ACTOR)
    out_path.write_bytes(data)
    click.echo(f"Wrote {count} phiếu to {out_path}.")


#: Files a scan folder may hold: PDFs from an office scanner, photos from a phone.
SCAN_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp"}


def _scan_files(paths: tuple[Path, ...]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES)
        else:
            files.append(path)
    return files


@paper.command("scan")
@click.argument("survey_id", type=int)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def scan_command(survey_id: int, paths: tuple[Path, ...]) -> None:
    """Read scanned or photographed phiếu (PDF, JPEG, PNG, TIFF; files or folders) and store the sure ones.

    Each page is committed on its own. A sheet is stored only when all its pages are in and every answer is
    sure; the rest waits in the review queue; pages of no phiếu of this survey, or of a household that has
    already answered, are rejected. The last line is "stored N, review M, rejected K" (sheets).
    """
    import hashlib

    from ..paper_scan.images import pages
    from ..services.scan_queue import new_upload
    from ..services.scans import ScanRun

    with unit_of_work():
        survey = load_survey(survey_id)
        run = ScanRun(survey, actor_name=CLI_ACTOR, upload=new_upload(survey))
    skipped = 0
    for file in _scan_files(paths):
        data = file.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        for page in pages(file.name, data):
            with unit_of_work():
                outcome = run.add_page(page, sha)
            skipped += outcome.status is None
            click.echo(f"{outcome.source}: {outcome.message}")
    counts = run.summary()
    if skipped:
        click.echo(f"skipped {skipped} pages read before")
    click.echo(f"stored {counts['stored']}, review {counts['review']}, rejected {counts['rejected']}")


@paper.command("work")
@click.option("--watch", is_flag=True, help="Keep reading: look for newly queued pages every few seconds.")
@click.option("--rq", "use_rq", is_flag=True, help="Serve the RQ 'scans' queue on the configured Redis.")
def work_command(watch: bool, use_rq: bool) -> None:
    """Read the scan pages uploaded in the console and not read yet (every survey), then stop.

    Pages left by a stopped worker are read too once their lease is over. With --rq this is the production
    worker: it first reads what is queued in the database, then takes the jobs every upload sends to Redis.
    """
    import time

    from flask import current_app

    from ..jobs import run_rq_worker
    from ..services.scan_queue import drain

    read = drain()
    click.echo(f"read {read} pages")
    if use_rq:
        run_rq_worker(current_app._get_current_object())
        return
    while watch:
        time.sleep(3)
        read = drain()
        if read:
            click.echo(f"read {read} pages")
