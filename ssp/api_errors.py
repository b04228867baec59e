"""The error answers of the JSON API, for each operation's OpenAPI `responses`.

An endpoint declares them beside its success answer, `response={200: CaseOut, **ERRORS}`, so
that the document says every status the API gives (schemathesis checks it, `make test`). The
bodies are what the exception handlers in `ssp/api.py` and django-ninja's own answer:

- 400 `ErrorOut`: a rule of the domain was broken (`DomainError`), or the body is not JSON;
- 401 `ErrorOut`: no valid token and no session;
- 403 `ErrorOut`: work the role does not do (`access.enforce`), a session post without its CSRF
  token, or a missing second factor;
- 404 `ErrorOut`: not found, or not visible to the actor (the same answer, on purpose);
- 422 `ValidationErrorOut`: the input does not match the schema (a list of pydantic errors).

A module of its own, so that every app's API module can import it without importing
`ssp.api`, which imports them.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str


class ValidationErrorOut(Schema):
    detail: list[dict[str, Any]]


ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}
