"""The scan accuracy benchmark's own parts: each kind of mark it draws is read as its truth (or doubted, for a
correction), and a small run adds up (every item counted once, nothing silently wrong)."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from bench import scan_accuracy
from bench.paper import printed, sheets
from survey_app.paper_scan import reader

FIRM = sheets.Pen("black ballpoint", sheets.PENS["black ballpoint"][0], 0.5, 1.0)


@pytest.mark.parametrize("kind", list(sheets.KINDS))
def test_each_kind_drawn_is_read_as_its_truth_or_doubted(kind):
    layout = printed.layout(sheets.TEMPLATE)
    image = cv2.cvtColor(printed.page_image(1, 200, sheets.TEMPLATE), cv2.COLOR_GRAY2BGR)
    rng = np.random.default_rng(3)
    truths = [sheets.mark_item(image, item, 200, kind, FIRM, rng) for item in layout.pages[0].items]
    found, why = reader.locate(image)
    assert found is not None, why
    reading = reader.read(image, found, layout)
    got = [item.decision.value for item in reading.items]
    if kind == "correction":  # one box struck out, the other marked: a person decides
        assert set(got) == {"unsure"} and {item.why for item in reading.items} == {"two_marks"}
    elif kind == "stray_answers":  # ink between the answers: doubted, never read as the other answer
        assert all(g in (t, "unsure") for g, t in zip(got, truths, strict=True))
    else:
        assert got == truths


def test_a_small_run_counts_every_item_once():
    total = scan_accuracy.run("scan 300 dpi", 2, seed=5, workers=1)
    items = len(printed.layout(sheets.TEMPLATE).items)
    assert sum(total["confusion"].values()) == 2 * items
    assert total["pages"] == 2 * len(printed.layout(sheets.TEMPLATE).pages) and total["cpu"] > 0
    assert not total["wrong"]
    assert sum(total["sheets_by_pen"].values()) == 2
    rows = scan_accuracy.confusion_rows("scan 300 dpi", total)
    assert rows[2].startswith("| truth") and len(rows) >= 7
