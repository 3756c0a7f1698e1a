"""Helpers shared by the browser tests and ``bench/page_weight.py``: measuring a page load, answering."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response, ResponseVersion
from survey_app.survey_templates import load_all
from tests.resident import full_answers

#: Budget of a resident page load: every response body, uncompressed.
PAGE_BUDGET = 40_000
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def largest_template() -> str:
    """Return the key of the survey template with the most items (the heaviest phiếu)."""
    return max(load_all().values(), key=lambda template: (len(template.items), template.key)).key


@dataclass
class PageLoad:
    """What loading one page cost: each request's URL and body size."""

    url: str
    sizes: dict[str, int] = field(default_factory=dict)
    status: int = 0

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def foreign(self, base_url: str) -> list[str]:
        """URLs fetched from anywhere but ``base_url``'s host (data: URLs cost no request)."""
        host = urlsplit(base_url).netloc
        return [url for url in self.sizes if urlsplit(url).scheme != "data" and urlsplit(url).netloc != host]


def load_and_weigh(page, path: str) -> PageLoad:
    """Load ``path`` in ``page`` and add up the uncompressed body of every response of that load."""
    responses = []

    def record(response) -> None:
        responses.append(response)

    page.on("response", record)
    try:
        main = page.goto(path, wait_until="load")
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("response", record)
    load = PageLoad(url=page.url, status=main.status if main else 0)
    for response in responses:
        load.sizes[response.url] = load.sizes.get(response.url, 0) + len(response.body())
    return load


def submit_with_test_client(app, path: str, **overrides) -> str:
    """Answer a phiếu through the Flask test client (everything satisfied); return the receipt's path."""
    client = app.test_client()
    html = client.get(path).get_data(as_text=True)
    posted = client.post(path, data=full_answers(html, **overrides))
    assert posted.status_code == 303, posted.get_data(as_text=True)[:500]
    return posted.headers["Location"]


def stored_response(app, receipt: str) -> tuple[dict[str, tuple[int, str]], str]:
    """Return ``({item_key: (value, reason)}, opinion)`` of the response with ``receipt``."""
    with app.app_context():
        response = db.session.execute(select(Response).where(Response.receipt == receipt)).scalar_one()
        version = db.session.execute(
            select(ResponseVersion).where(ResponseVersion.response_id == response.id,
                                          ResponseVersion.version == response.current_version)
        ).scalar_one()
        answers = db.session.execute(select(Answer).where(Answer.response_version_id == version.id)).scalars()
        return {answer.item_key: (int(answer.value), answer.reason) for answer in answers}, version.opinion
