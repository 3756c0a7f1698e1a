"""The OpenAPI 3.1 document of the API. Its schemas are generated from the models the answers are built with
(``services.results_model`` and the envelopes below), so the document cannot say one thing and the data another;
only the operations (paths, parameters, status codes) are written here."""
from __future__ import annotations

from functools import lru_cache

from flask import url_for
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from ..models._types import MAX_ID
from ..services.results_model import ListedSurvey, ResultsDocument

REF = "#/components/schemas/{model}"


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Links(_Envelope):
    """Absolute addresses of this document and of the surveys listing."""

    openapi: str
    surveys: str


class Index(_Envelope):
    """The entry point of the API: a one-line description and absolute links; needs no token."""

    description: str
    links: Links


class SurveyListing(_Envelope):
    """The surveys in the scope of the token's user, newest first."""

    surveys: list[ListedSurvey]


class ErrorDetail(_Envelope):
    """What went wrong: the HTTP status and a message to show."""

    status: int
    message: str


class Error(_Envelope):
    """Every error of the API (never an HTML page)."""

    error: ErrorDetail


class _Schemas(GenerateJsonSchema):
    """JSON Schema without a generated title on every field (the field's name already says it)."""

    def field_title_should_be_set(self, schema) -> bool:
        return False


@lru_cache(maxsize=1)
def schemas() -> dict[str, dict]:
    """The components' schemas, generated from the models (validation mode: what the answers must be)."""
    _refs, definitions = models_json_schema(
        [(model, "validation") for model in (ResultsDocument, SurveyListing, Index, Error)],
        ref_template=REF, schema_generator=_Schemas)
    return definitions["$defs"]


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(Error.__name__)}}}


def _ok(description: str, model: type[BaseModel]) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(model.__name__)}}}


def openapi_document() -> dict:
    """Build the document (inside a request, so that the server address is the one being called)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "NTM satisfaction survey results API",
            "version": "1.1.0",
            "description": "Read-only access to survey results for auditors and staff, scoped like the user "
                           "who owns the token. Create and revoke tokens at /results/tokens.",
        },
        "servers": [{"url": url_for("api.openapi", _external=True).rsplit("/", 1)[0]}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/": {"get": {
                "operationId": "getIndex",
                "summary": "What this API is, with links to this document and the surveys listing",
                "security": [],
                "responses": {"200": _ok("The index", Index)},
            }},
            "/surveys": {"get": {
                "operationId": "listSurveys",
                "summary": "Surveys in the scope of the token's user, newest first",
                "responses": {
                    "200": _ok("The surveys", SurveyListing),
                    "401": _error("Missing, invalid or revoked token"),
                },
            }},
            "/surveys/{survey_id}/results": {"get": {
                "operationId": "getSurveyResults",
                "summary": "Results of one survey: verdict, coverage, items, villages, rules; once published, "
                           "the stored publication (with `published` and the villages' `receipt_fingerprints`)",
                "parameters": [{"name": "survey_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": {
                    "200": _ok("The results document", ResultsDocument),
                    "401": _error("Missing, invalid or revoked token"),
                    "403": _error("The survey is outside the user's scope"),
                    "404": _error("No such survey"),
                },
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas(),
        },
    }
