"""The OpenAPI 3.0 document of the API, written by hand so that it says exactly what the API promises."""
from __future__ import annotations

from flask import url_for

from ..models._types import MAX_ID

RATE = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True,
        "description": "Rate in [0, 1]; null when there is no phiếu to divide by."}
COUNT = {"type": "integer", "minimum": 0}
TEXT = {"type": "string"}
NULLABLE_TEXT = {"type": "string", "nullable": True}
BOUNDS = {"type": "object", "nullable": True, "required": ["low", "high"],
          "properties": {"low": {"type": "number"}, "high": {"type": "number"}}}


def _object(required: list[str], properties: dict, description: str = "") -> dict:
    schema = {"type": "object", "required": required, "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


ITEM = _object(["key", "satisfied", "not_satisfied", "blank", "rate"], {
    "key": TEXT, "criterion": TEXT, "satisfied": COUNT, "not_satisfied": COUNT, "blank": COUNT, "rate": RATE,
    "interval": BOUNDS,
    "nonresponse": {"type": "object", "nullable": True, "properties": {"worst": RATE, "best": RATE}},
}, "Answers to one item: satisfied, not satisfied, blank (không xác định); "
   "rate = satisfied / phiếu collected.")

UNIT = {
    "households": COUNT, "respondents": COUNT, "coverage": RATE, "handed_out": COUNT, "missing": COUNT,
    "items": {"type": "array", "items": _ref("Item")},
}

VILLAGE = _object(["code", "households", "respondents", "items"], {
    "code": TEXT, "name": TEXT, "commune_code": TEXT, **UNIT,
    "channels": {"type": "object", "additionalProperties": COUNT}, "invalid": COUNT,
})

COMMUNE = _object(["code", "households", "respondents", "items"],
                  {"code": TEXT, "name": TEXT, "villages": COUNT, **UNIT})

RULE = _object(["kind", "threshold", "met", "source", "verified"], {
    "kind": {"type": "string", "enum": ["overall_min", "item_min", "subunit_item_min", "coverage_min"]},
    "threshold": {"type": "number", "minimum": 0, "maximum": 1},
    "threshold_text": TEXT,
    "subunit": {"type": "string", "nullable": True, "enum": ["village", "commune", None]},
    "met": {"type": "boolean"},
    "observed": RATE, "successes": COUNT, "trials": COUNT,
    "deciding_unit": NULLABLE_TEXT, "deciding_item": NULLABLE_TEXT,
    "failing_units": {"type": "array", "items": TEXT}, "failing_items": {"type": "array", "items": TEXT},
    "shortfall_count": COUNT,
    "shortfalls": {"type": "array", "items": {"type": "object"}},
    "source": TEXT, "verified": {"type": "boolean"}, "note": TEXT,
}, "A legal condition with the counts that decided it, its source and whether its threshold is verified.")

RESULTS = _object(["verdict", "coverage", "items", "villages", "rules"], {
    "format": {"type": "integer"},
    "survey": {"type": "object"},
    "generated_at": {"type": "string", "format": "date-time"},
    "verdict": {"type": "string", "enum": ["met", "not_met", "incomplete"]},
    "collecting_finished": {"type": "boolean"},
    "quorum_met": {"type": "boolean"},
    "coverage": _object(["households", "respondents", "rate"], {
        "households": COUNT, "respondents": COUNT, "rate": {"type": "number", "minimum": 0},
        "handed_out": COUNT, "missing": COUNT, "invalid": COUNT,
        "channels": {"type": "object", "additionalProperties": COUNT}}),
    "overall": {"type": "object", "nullable": True},
    "items": {"type": "array", "items": _ref("Item")},
    "villages": {"type": "array", "items": _ref("Village")},
    "communes": {"type": "array", "items": _ref("Commune")},
    "rules": {"type": "array", "items": _ref("Rule")},
}, "The results of one survey: the same document as `flask results SURVEY_ID --format json`.")

SURVEY = _object(["id", "title", "status", "unit_code", "start_date", "end_date"], {
    "id": {"type": "integer"}, "title": TEXT, "template_key": TEXT, "unit_code": TEXT,
    "unit_level": {"type": "string", "enum": ["commune", "province"]},
    "status": {"type": "string", "enum": ["draft", "open", "closed", "published"]},
    "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"},
    "results_url": {"type": "string"},
})

INDEX = _object(["description", "links"], {
    "description": TEXT,
    "links": _object(["openapi", "surveys"], {"openapi": {"type": "string", "format": "uri"},
                                              "surveys": {"type": "string", "format": "uri"}}),
}, "The entry point of the API: a one-line description and absolute links; needs no token.")

ERROR = _object(["error"], {"error": _object(["status", "message"], {"status": {"type": "integer"},
                                                                      "message": TEXT})})


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document() -> dict:
    """Build the document (inside a request, so that the server address is the one being called)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "NTM satisfaction survey results API",
            "version": "1.0.0",
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
                "responses": {"200": _ok("The index", _ref("Index"))},
            }},
            "/surveys": {"get": {
                "operationId": "listSurveys",
                "summary": "Surveys in the scope of the token's user, newest first",
                "responses": {
                    "200": _ok("The surveys", _object(["surveys"], {"surveys": {"type": "array",
                                                                                 "items": _ref("Survey")}})),
                    "401": _error("Missing, invalid or revoked token"),
                },
            }},
            "/surveys/{survey_id}/results": {"get": {
                "operationId": "getSurveyResults",
                "summary": "Results of one survey: verdict, coverage, items, villages, rules",
                "parameters": [{"name": "survey_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": {
                    "200": _ok("The results document", _ref("Results")),
                    "401": _error("Missing, invalid or revoked token"),
                    "403": _error("The survey is outside the user's scope"),
                    "404": _error("No such survey"),
                },
            }},
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Item": ITEM, "Village": VILLAGE, "Commune": COMMUNE, "Rule": RULE,
                        "Results": RESULTS, "Survey": SURVEY, "Index": INDEX, "Error": ERROR},
        },
    }
