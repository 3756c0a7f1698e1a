"""Measured scan accuracy (issue 17, item 5): synthetic filled phiếu read back by the reader alone.

For each condition (office scan at 150, 200 and 300 dpi; phone photo) ``--sheets`` households' phiếu are
rendered from the printed PDF (template xa-ntm-2026, two pages), marked at random per item (X, ✓, fill, dot,
a crossed-out correction, stray strokes, blank; pens of varied colour, width and pressure; see
bench/paper/sheets.py), degraded, and read with ``paper_scan`` (locate + read: no database). Printed: per
condition the confusion matrix (truth × decision), silently wrong items (decided, not unsure, and not the
truth: target 0), sheets sent to review (any unsure item or refused page: targets ≤ 1 % for scans at
≥ 200 dpi, ≤ 5 % for phone photos), where the reviews come from, and pages read per CPU-second.

    .venv/bin/python -m bench.scan_accuracy --sheets 2000 --workers 2 [--record]

A silently wrong item's image is saved under /tmp/scan_accuracy/ with what was drawn.
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

from bench._machine import describe, record_section
from bench.paper import printed, sheets
from survey_app.paper_scan import reader

TRUTHS = (sheets.SATISFIED, sheets.NOT_SATISFIED, sheets.BLANK)
DECISIONS = ("satisfied", "not_satisfied", "blank", "unsure")
WRONG_DIR = Path("/tmp/scan_accuracy")
COUNTS = ("confusion", "reasons", "unsure_by_kind", "review_by_pen", "sheets_by_pen")
HEADING = "## Scan accuracy (paper phiếu read by the reader)"


def _read_sheet(condition: str, seed: int, index: int) -> dict:
    """Mark, degrade and read one sheet; its counts."""
    rng = np.random.default_rng([seed, index, list(sheets.CONDITIONS).index(condition)])
    dpi, degrade = sheets.CONDITIONS[condition]
    pages, truth, pen = sheets.filled_sheet(dpi, rng)
    layout = printed.layout(sheets.TEMPLATE)
    decided: dict[str, tuple[str, str]] = {}
    reasons: Counter = Counter()
    cpu = 0.0
    for number, page in enumerate(pages, 1):
        image = degrade(page, rng)
        start = time.process_time()
        found, why = reader.locate(image)
        reading = reader.read(image, found, layout) if found is not None else None
        cpu += time.process_time() - start
        problem = why if reading is None else reading.problem
        if problem:
            reasons[f"page refused: {problem}"] += 1
            for item in layout.pages[number - 1].items:
                decided[item.key] = ("unsure", "page")
            continue
        for item in reading.items:
            decided[item.key] = (item.decision.value, item.why)
            if item.why:
                reasons[f"item {item.why}"] += 1
    out = {"confusion": Counter(), "wrong": [], "review": False, "reasons": reasons, "cpu": cpu, "pages": len(pages),
           "unsure_by_kind": Counter(), "review_by_pen": Counter(), "sheets_by_pen": Counter([pen])}
    for key, kind, want in truth:
        got, why = decided[key]
        out["confusion"][(want, got)] += 1
        if got == "unsure":
            out["review"] = True
            out["unsure_by_kind"][f"{kind} → {why}"] += 1
            out["review_by_pen"][pen] = 1
        elif got != want:
            out["wrong"].append({"item": key, "kind": kind, "truth": want, "decided": got})
    out["plain"] = all(kind != "correction" for _key, kind, _want in truth)
    out["plain_review"] = out["review"] and out["plain"]
    if out["wrong"]:
        _save_wrong(condition, seed, index, pages, out["wrong"])
    return out


def _save_wrong(condition: str, seed: int, index: int, pages, wrong) -> None:
    """The case to look at: the marked pages (before degradation) and what went wrong."""
    WRONG_DIR.mkdir(exist_ok=True)
    stem = f"{condition.replace(' ', '_')}-{seed}-{index}"
    for number, page in enumerate(pages, 1):
        cv2.imwrite(str(WRONG_DIR / f"{stem}-p{number}.png"), page)
    (WRONG_DIR / f"{stem}.json").write_text(json.dumps(wrong, indent=1), encoding="utf-8")


def _chunk(args: tuple[str, int, range]) -> list[dict]:
    condition, seed, indices = args
    return [_read_sheet(condition, seed, i) for i in indices]


def run(condition: str, sheets_n: int, seed: int, workers: int) -> dict:
    step = max(sheets_n // (workers * 8), 1)
    jobs = [(condition, seed, range(i, min(i + step, sheets_n))) for i in range(0, sheets_n, step)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = [r for chunk in pool.map(_chunk, jobs) for r in chunk]
    else:
        results = [r for job in jobs for r in _chunk(job)]
    total = {name: Counter() for name in COUNTS}
    total |= {"wrong": [], "review": 0, "plain": 0, "plain_review": 0, "cpu": 0.0, "pages": 0, "sheets": sheets_n}
    for r in results:
        for name in COUNTS:
            total[name].update(r[name])
        total["wrong"] += r["wrong"]
        total["review"] += r["review"]
        total["plain"] += r["plain"]
        total["plain_review"] += r["plain_review"]
        total["cpu"] += r["cpu"]
        total["pages"] += r["pages"]
    return total


def _target(condition: str) -> float | None:
    return 0.05 if condition == "phone photo" else (None if "150" in condition else 0.01)


def summary_rows(results: dict[str, dict]) -> list[str]:
    rows = ["| Condition | Sheets | Items | Silently wrong | Sheets to review | Target | Without a correction: "
            "to review | Pages/CPU-s |", "|---|---:|---:|---:|---:|---|---:|---:|"]
    for condition, t in results.items():
        items = sum(t["confusion"].values())
        share = t["review"] / t["sheets"]
        target = _target(condition)
        verdict = "—" if target is None else (f"≤ {target:.0%}: {'met' if share <= target else 'missed'}")
        rows.append(f"| {condition} | {t['sheets']:,} | {items:,} | {len(t['wrong'])} | {t['review']:,} "
                    f"({share:.1%}) | {verdict} | {t['plain_review']:,}/{t['plain']:,} "
                    f"({t['plain_review'] / max(t['plain'], 1):.1%}) | {t['pages'] / max(t['cpu'], 1e-9):.1f} |")
    return rows


def confusion_rows(condition: str, t: dict) -> list[str]:
    rows = [f"**{condition}** (rows: truth; columns: decision)", "",
            "| truth \\ decided | " + " | ".join(DECISIONS) + " |", "|---|" + "---:|" * len(DECISIONS)]
    for want in TRUTHS:
        rows.append(f"| {want} | " + " | ".join(f"{t['confusion'][(want, got)]:,}" for got in DECISIONS) + " |")
    reasons = ", ".join(f"{name} {n}" for name, n in t["reasons"].most_common()) or "none"
    kinds = ", ".join(f"{name} {n}" for name, n in t["unsure_by_kind"].most_common()) or "none"
    pens = ", ".join(f"{name} {t['review_by_pen'][name]}/{n}" for name, n in t["sheets_by_pen"].most_common())
    return [*rows, "", f"Reasons (pages and items): {reasons}.", "",
            f"Unsure items by what was drawn → why: {kinds}.", "", f"Sheets to review / sheets, by pen: {pens}.", ""]


def report(results: dict[str, dict], args) -> str:
    lines = [f"`bench/scan_accuracy.py --sheets {args.sheets} --seed {args.seed} --workers {args.workers}` · "
             f"{describe()}", "", *summary_rows(results), ""]
    for condition, t in results.items():
        lines += confusion_rows(condition, t)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=2000, help="sheets per condition")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--conditions", nargs="*", default=list(sheets.CONDITIONS), choices=list(sheets.CONDITIONS))
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results = {}
    for condition in args.conditions:
        results[condition] = run(condition, args.sheets, args.seed, args.workers)
        print("\n".join(confusion_rows(condition, results[condition])), flush=True)
    text = report(results, args) + f"\nWall time {time.monotonic() - started:.0f} s.\n"
    print(text)
    if args.record:
        record_section(Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md", HEADING, text)


if __name__ == "__main__":
    main()
