"""The OpenAPI document: every error response documented as RFC 9457 problem details."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import PROBLEM_MEDIA_TYPE, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_ALWAYS = {"422": "A parameter or the body is invalid", "500": "Unexpected server error"}


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default validation-error schema with problem details everywhere."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _ALWAYS.items():
                    responses.setdefault(status, {"description": description})
                if "requestBody" in operation:
                    responses.setdefault("400", {"description": "The body is not valid JSON"})
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
