"""On PostgreSQL, 20 households' phones racing with the same code store exactly one phiếu, with no 500."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, Response, ResponseVersion
from tests.resident import full_answers, item_keys

THREADS = 20


def _race(app, url: str, forms) -> list:
    """Each thread loads the page in its own session, waits for the others, then posts its form."""
    barrier = threading.Barrier(THREADS, timeout=60)
    results: list = [None] * THREADS

    def resident(index: int) -> None:
        try:
            client = app.test_client()
            html = client.get(url).get_data(as_text=True)
            form = forms(index, html)
            barrier.wait()
            answer = client.post(url, data=form)
            results[index] = (answer.status_code, answer.headers.get("Location"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[index] = (type(exc).__name__, str(exc))

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _stored(app) -> tuple[int, int, int]:
    with app.app_context():
        count = lambda model: db.session.execute(select(func.count()).select_from(model)).scalar_one()  # noqa: E731
        return count(Response), count(ResponseVersion), count(Answer)


@pytest.mark.postgres
def test_twenty_identical_concurrent_submissions_store_one_response(app, postgres_only, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"
    results = _race(app, url, lambda index, html: full_answers(html))
    statuses = {status for status, _ in results}
    assert statuses == {303}, results
    assert len({location for _, location in results}) == 1, "every thread gets the same receipt"
    responses, versions, answers = _stored(app)
    assert (responses, versions) == (1, 1) and answers == 11


@pytest.mark.postgres
def test_twenty_different_concurrent_submissions_store_one_and_refuse_others(app, postgres_only, open_survey):
    _, issued = open_survey
    url = f"/s/{issued[0].display}"

    def different(index: int, html: str) -> dict:
        keys = item_keys(html)
        # Thread i's answers spell i + 1 in binary over the items: no two threads answer alike.
        pattern = {key: "not_satisfied" if (index + 1) >> bit & 1 else "satisfied"
                   for bit, key in enumerate(keys)}
        return full_answers(html, **pattern)

    results = _race(app, url, different)
    winners = [r for r in results if r[0] == 303]
    assert len(winners) == 1, results
    assert all(status == 409 for status, _ in results if status != 303), results
    responses, versions, answers = _stored(app)
    assert (responses, versions) == (1, 1) and answers == 11
