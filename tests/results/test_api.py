"""The JSON API: bearer tokens, scope, JSON errors everywhere, and the OpenAPI document it keeps to."""
from __future__ import annotations

import copy
import json

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ApiToken, AuditEntry, Role, Survey, User
from survey_app.services import api_tokens, snapshots
from survey_app.services.results import results_document

from .factories import add_user, build_hand_counted


def make_token(app, user_id: int, name: str = "công cụ đối chiếu") -> str:
    with app.app_context():
        _row, clear = api_tokens.create_token(db.session.get(User, user_id), name)
        db.session.commit()
        return clear


@pytest.fixture
def auditor_token(app):
    return make_token(app, add_user(app, "kiemtra"))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["status"] == status and body["error"]["message"]
    return body


def test_results_are_the_results_document(app, client, hand_counted, auditor_token):
    response = client.get(f"/api/v1/surveys/{hand_counted.survey_id}/results", headers=bearer(auditor_token))
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    with app.app_context():
        expected = results_document(db.session.get(Survey, hand_counted.survey_id))
    body.pop("generated_at"), expected.pop("generated_at")
    assert body == json.loads(json.dumps(expected))
    assert body["verdict"] == "not_met" and body["coverage"]["respondents"] == 5


def test_surveys_lists_the_scope(app, client, hand_counted, auditor_token):
    body = client.get("/api/v1/surveys", headers=bearer(auditor_token)).get_json()
    assert [s["id"] for s in body["surveys"]] == [hand_counted.survey_id]
    assert body["surveys"][0]["results_url"].endswith(f"/api/v1/surveys/{hand_counted.survey_id}/results")
    outsider = make_token(app, add_user(app, "ngoai", unit="79"))
    assert client.get("/api/v1/surveys", headers=bearer(outsider)).get_json() == {"surveys": []}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ntm_wrong", "Basic a2llbXRyYTp4", "Token x"])
def test_401_without_a_valid_token(client, hand_counted, header):
    headers = {"Authorization": header} if header else {}
    for url in ("/api/v1/surveys", f"/api/v1/surveys/{hand_counted.survey_id}/results"):
        response = client.get(url, headers=headers)
        assert_json_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_get_401(app, client, hand_counted):
    user_id = add_user(app, "kiemtra")
    token = make_token(app, user_id)
    url = f"/api/v1/surveys/{hand_counted.survey_id}/results"
    assert client.get(url, headers=bearer(token)).status_code == 200
    with app.app_context():
        user = db.session.get(User, user_id)
        user.active = False
        db.session.commit()
    assert_json_error(client.get(url, headers=bearer(token)), 401)
    with app.app_context():
        user = db.session.get(User, user_id)
        user.active = True
        row = db.session.execute(select(ApiToken)).scalar_one()
        api_tokens.revoke(row, actor=user)
        db.session.commit()
    assert_json_error(client.get(url, headers=bearer(token)), 401)


def test_403_outside_scope_and_404_unknown(app, client, hand_counted):
    outsider = make_token(app, add_user(app, "ngoai", unit="79"))
    url = f"/api/v1/surveys/{hand_counted.survey_id}/results"
    assert_json_error(client.get(url, headers=bearer(outsider)), 403)
    commune_staff = make_token(app, add_user(app, "canbo", Role.STAFF, "21040"))
    assert client.get(url, headers=bearer(commune_staff)).status_code == 200
    for survey_id in ("999999", str(2**31), str(10**30)):
        assert_json_error(client.get(f"/api/v1/surveys/{survey_id}/results", headers=bearer(outsider)), 404)


def test_unknown_addresses_and_methods_answer_json(client, auditor_token):
    assert_json_error(client.get("/api/v1/nothing", headers=bearer(auditor_token)), 404)
    assert_json_error(client.get("/api/v1/surveys/abc/results", headers=bearer(auditor_token)), 404)
    response = client.post("/api/v1/surveys", headers=bearer(auditor_token))
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_json_error(client.delete("/api/v1/surveys/1/results"), 405)
    huge = client.get(f"/api/v1/surveys/{2**31}/results", headers=bearer(auditor_token))
    assert_json_error(huge, 404)
    assert huge.get_json()["error"]["message"] == "Không tìm thấy trang"  # not Werkzeug's English default


def test_api_reads_are_audited_and_mark_the_token_used(app, client, hand_counted, auditor_token):
    client.get(f"/api/v1/surveys/{hand_counted.survey_id}/results", headers=bearer(auditor_token))
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).scalar_one()
        assert entry.action == "results.export" and entry.details["format"] == "api"
        assert db.session.execute(select(ApiToken)).scalar_one().last_used_at is not None


def test_only_the_hash_of_a_token_is_stored(app, auditor_token):
    with app.app_context():
        row = db.session.execute(select(ApiToken)).scalar_one()
        assert row.token_hash == api_tokens.token_hash(auditor_token) and auditor_token not in row.token_hash


def test_index_links_the_document_and_the_surveys_without_a_token(client, auditor_token):
    for headers in ({}, bearer(auditor_token)):
        response = client.get("/api/v1/", headers=headers)
        assert response.status_code == 200 and response.mimetype == "application/json"
        body = response.get_json()
        assert body["description"] and "\n" not in body["description"]
        assert body["links"] == {"openapi": "http://localhost/api/v1/openapi.json",
                                 "surveys": "http://localhost/api/v1/surveys"}
    assert client.get(body["links"]["openapi"]).status_code == 200
    assert_json_error(client.get(body["links"]["surveys"]), 401)  # the listing itself still needs a token
    response = client.post("/api/v1/")
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    document = response.get_json()
    assert response.status_code == 200 and document["openapi"].startswith("3.")
    assert {"/", "/surveys", "/surveys/{survey_id}/results"} <= set(document["paths"])
    assert document["paths"]["/"]["get"]["security"] == []
    schemas = document["components"]["schemas"]
    results = schemas["ResultsDocument"]
    assert {"verdict", "coverage", "items", "villages", "rules"} <= set(results["required"])
    assert results["properties"]["survey"] == {"$ref": "#/components/schemas/Survey"}
    assert {"$ref": "#/components/schemas/Overall"} in results["properties"]["overall"]["anyOf"]
    assert {"deciding_unit", "deciding_item", "shortfalls"} <= set(schemas["Rule"]["required"])
    assert "receipt_fingerprints" in schemas["Village"]["properties"]
    assert {"version", "sha256", "at"} <= set(schemas["Published"]["required"])
    listing = schemas["SurveyListing"]["properties"]["surveys"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas["Survey"]["properties"]) < set(schemas[listing]["properties"])  # one survey model
    assert "uncertainty" in schemas["Overall"]["required"]  # what the figures assume, in reading order
    assert {"assumption", "ranges"} <= set(schemas["Uncertainty"]["required"])
    assert {"figure", "method", "low", "high", "assumes_random_response"} <= set(schemas["Range"]["required"])
    assert "method" in schemas["Interval"]["required"] and "method" in schemas["ThresholdTest"]["required"]


def _component(document: dict, name: str):
    """A JSON Schema validator of one component of the served OpenAPI document."""
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                               "components": document["components"]})


def _objects(value, path=()):
    """Every JSON object in a document with its path, except free-form ones (an indicator's evidence)."""
    if isinstance(value, dict):
        yield path, value
        for key, inner in value.items():
            if key != "evidence":
                yield from _objects(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _objects(inner, (*path, index))


def _at(document, path):
    for step in path:
        document = document[step]
    return document


#: Fields a document may lack: those only a publication carries.
OPTIONAL = {"published", "integrity", "receipt_fingerprints"}


@pytest.fixture
def served_documents(app, client, hand_counted, auditor_token):
    """The results as the API serves them: a closed survey (computed) and a published one (its snapshot)."""
    published = build_hand_counted(app, status="published").survey_id
    bodies = [client.get(f"/api/v1/surveys/{survey_id}/results", headers=bearer(auditor_token)).get_data()
              for survey_id in (hand_counted.survey_id, published)]
    return client.get("/api/v1/openapi.json").get_json(), [json.loads(body) for body in bodies]


@given(data=st.data())
@settings(max_examples=150, database=None, suppress_health_check=list(HealthCheck))
def test_the_schema_describes_every_field_so_a_drifted_document_fails_it(served_documents, data):
    """The schema is the data's exact shape: a field added, removed or of another type anywhere is refused."""
    openapi, documents = served_documents
    validator = _component(openapi, "ResultsDocument")
    document = copy.deepcopy(data.draw(st.sampled_from(documents)))
    assert validator.is_valid(document)
    path, target = data.draw(st.sampled_from(list(_objects(document))))
    changeable = [key for key in target if path[-1:] != ("channels",)]
    how = data.draw(st.sampled_from(["add", "remove", "retype"] if changeable else ["add"]))
    if how == "add":
        target["unexpected"] = 1
    else:
        key = data.draw(st.sampled_from(changeable))
        if how == "remove":
            if key in OPTIONAL:
                return
            del target[key]
        else:
            old = target[key]
            target[key] = 12345 if isinstance(old, str) else "x" if old is not None else [old]
    assert not validator.is_valid(document), (how, path, _at(document, path))


def test_results_json_gives_the_bounds_first_then_the_assumption_then_the_intervals(served_documents):
    """Issue 15, item 4: 7 households, 5 phiếu, 3 satisfied overall. The document, computed or published,
    reads the non-response bounds (3/7 if both missing households were dissatisfied, 5/7 if not) before the
    model-based intervals, names each interval's method, and says what they assume; and keeps to the schema."""
    openapi, documents = served_documents
    validator = _component(openapi, "ResultsDocument")
    for document in documents:
        assert validator.is_valid(document)
        overall = document["overall"]
        reading = overall["uncertainty"]
        first, *model = reading["ranges"]
        assert first == {"figure": "nonresponse", "method": "nonresponse-bounds", "low": 3 / 7, "high": 5 / 7,
                         "assumes_random_response": False}
        assert [r["figure"] for r in model] == ["wilson_fpc", "hypergeometric", "stratified"]
        assert [r["method"] for r in model[:2]] == ["wilson-fpc", "exact-hypergeometric"]
        assert model[2]["method"] == overall["stratified"]["interval_method"]
        assert all(r["assumes_random_response"] for r in model)
        assert "giả định rằng các hộ đã trả lời là ngẫu nhiên" in reading["assumption"]
        intervals = overall["intervals"]
        assert intervals["nonresponse"] == {"worst": 3 / 7, "best": 5 / 7}
        assert (intervals["wilson_fpc"]["method"], intervals["hypergeometric"]["method"]) == (
            "wilson-fpc", "exact-hypergeometric")
        assert intervals["threshold_test"]["method"] == "exact-hypergeometric"
        for figure in model[:2]:
            assert (figure["low"], figure["high"]) == (intervals[figure["figure"]]["low"],
                                                       intervals[figure["figure"]]["high"])


def test_api_conforms_to_its_openapi_document(app, hand_counted, auditor_token):
    """Schema-driven: schemathesis generates requests from the document and checks every response, and the
    real documents of a closed survey (computed) and of a published one (its stored snapshot) conform."""
    published = build_hand_counted(app, status="published").survey_id
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # schemathesis' WSGI transport does not decode a compressed body (the API compresses for clients that ask)
    headers = bearer(auditor_token) | {"Accept-Encoding": "identity"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 3
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, database=None,
                  suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate(headers=headers)

        conforms()
        if "survey_id" in operation.path:
            for survey_id in (hand_counted.survey_id, published, 999999):
                case = operation.Case(path_parameters={"survey_id": survey_id})
                response = case.call_and_validate(headers=headers)
                if survey_id == published:
                    with app.app_context():
                        current = snapshots.current(db.session.get(Survey, published))
                        assert response.content == snapshots.published_json(current)
                    body = response.json()
                    assert body["published"]["version"] == 1
                    assert all("receipt_fingerprints" in village for village in body["villages"])
