"""Forms of the site: the CSRF check every POST meets, and what each field's error says in the
reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends
from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request

from app.errors import FieldError, ForbiddenError
from app.web import session
from app.web.i18n import N_
from app.web.pages import Page, PageDep


class CsrfRefusedError(ForbiddenError):
    """A POST without a valid CSRF token: always answered with the site's 403 page."""

    code = "csrf-refused"

    def __init__(self) -> None:
        super().__init__("The form's CSRF token is missing or invalid")


async def checked_form(request: Request, page: Page) -> FormData:
    """The POSTed form, once its CSRF token is found valid for this browser and reader."""
    form = await request.form()
    user_id = page.user.id if page.user else None
    if page.new_nonce or not session.csrf_valid(
        page.secret, page.nonce, user_id, form.get(session.CSRF_FIELD)
    ):
        raise CsrfRefusedError()
    return form


async def posted_form(request: Request, page: PageDep) -> FormData:
    """The checked form as a dependency: read (async, on the event loop) before the handler,
    which is a plain function run in the thread pool, so the database work it does (a wait for
    SQLite's write lock, argon2) never blocks the loop."""
    return await checked_form(request, page)


PostedForm = Annotated[FormData, Depends(posted_form)]


def text(form: FormData, name: str, limit: int = 1000) -> str:
    """A text field of the form, or "" (a file where text was expected counts as empty)."""
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


# What a field's error says, in msgids the catalogues translate.
FIELD_MESSAGES: dict[str, str] = {
    "email": N_("Enter an e-mail address, like name@example.com."),
    "password": N_("Choose a password of 10 to 128 characters."),
    "full_name": N_("Enter your name."),
    "organization": N_("Enter your organisation's name (at least 2 characters)."),
    "role": N_("Choose enterprise or researcher."),
    "city": N_("Choose a city or zone from the list."),
    "invitation": N_("This invitation cannot be used."),
}
# The services' own reasons, where the page says more than the field's general message.
SERVICE_MESSAGES: dict[str, str] = {
    "no such invitation": N_("There is no such invitation: check the link you were sent."),
    "this invitation has been used": N_("This invitation has been used already."),
    "this invitation has expired; ask for a new one": N_(
        "This invitation has expired: ask for a new one."
    ),
    "this invitation was withdrawn": N_("This invitation was withdrawn."),
    "made out to another e-mail address": N_("This invitation is for another e-mail address."),
}


@dataclass
class FormErrors:
    """Errors by field name (msgids), in the order the form shows its fields."""

    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    @classmethod
    def from_validation(cls, error: ValidationError) -> FormErrors:
        errors = cls()
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else ""
            errors.add(name, FIELD_MESSAGES.get(name, N_("Check this field.")))
        return errors

    @classmethod
    def from_service(cls, problems: list[FieldError]) -> FormErrors:
        errors = cls()
        for problem in problems:
            message = SERVICE_MESSAGES.get(problem.message) or FIELD_MESSAGES.get(
                problem.field, N_("Check this field.")
            )
            errors.add(problem.field, message)
        return errors


def blank_to_none(values: dict[str, str]) -> dict[str, Any]:
    return {k: (v if v.strip() else None) for k, v in values.items()}
