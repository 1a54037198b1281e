"""The published API description: every API operation documents its problem responses as
RFC 9457 `application/problem+json`, which is what the error handler sends."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with a human message in the user's language."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] | None = None
    current: dict[str, Any] | None = None


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in components["Problem"].pop("$defs", {}).items():
            components[name] = definition
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status in list(responses):
                    if status.startswith("4") and status != "412":
                        responses.pop(status)
                responses["4XX"] = _problem_response("The request was refused; the problem says why")
                if "412" in responses:
                    responses["412"] = _problem_response("Changed in the meantime; `current` holds the entry")
                responses["5XX"] = _problem_response("Something went wrong on our side")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
