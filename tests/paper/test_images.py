"""Page images from scanner files: a multi-page TIFF (as office scanners save a stack) gives every page."""
from __future__ import annotations

import cv2
import numpy as np

from bench.paper import printed
from survey_app.paper_scan import images, reader


def _tiff(pages: list[np.ndarray]) -> bytes:
    ok, data = cv2.imencodemulti(".tiff", pages)
    assert ok
    return data.tobytes()


def test_every_page_of_a_multi_page_tiff_is_read():
    data = _tiff([printed.page_image(1, 150), printed.page_image(2, 150)])
    assert images.kind(data) == "tiff" and images.page_count(data) == 2
    got = list(images.pages("xep.tif", data))
    assert [(p.source, p.number) for p in got] == [("xep.tif", 1), ("xep.tif", 2)]
    assert [reader.locate(p.image)[0].page_id.page for p in got] == [1, 2]
    second = images.page_at("xep.tif", data, 2)
    assert second.number == 2 and reader.locate(second.image)[0].page_id.page == 2
    assert images.page_at("xep.tif", data, 3).image is None


def test_a_one_page_tiff_and_a_broken_one():
    data = _tiff([printed.page_image(2, 150)])
    assert images.page_count(data) == 1
    assert [reader.locate(p.image)[0].page_id.page for p in images.pages("mot.tif", data)] == [2]
    broken = data[:40]
    assert images.page_count(broken) == 1  # counted as one page, which is then rejected as unreadable
    assert [p.image for p in images.pages("hong.tif", broken)] == [None]
    assert images.page_at("hong.tif", broken, 1).image is None
