"""The researchers' workspace: their projects in every state with what to do next, the project
form (drafts, revisions of a published project, a live completeness checklist, patents as a
repeatable group, a stale save shown side by side), submission with an answer to the reviewer,
the audit history, and the interest their projects receive.

Everything goes through the API's services: ``app.catalog.workflow`` (create, update with the
version read, submit, detail with its audit log and revision, ``completeness`` — the very
function the API's detail uses), ``app.leads.service.list_leads`` (a researcher sees the leads
on their projects, as ``GET /api/v1/leads`` gives them).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import zip_longest
from typing import Any

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from app.auth.models import Role, User
from app.auth.service import get_user
from app.catalog import workflow
from app.catalog.models import PatentStatus, ProjectStatus, RevisionStatus
from app.catalog.schemas import (
    Completeness,
    PatentPublic,
    ProjectCreate,
    ProjectDetail,
    ProjectPatch,
    ProjectPublic,
)
from app.deps import SessionDep, reads_only
from app.errors import ConflictError, FieldError, InvalidInputError, NotFoundError
from app.geo import service as geo_service
from app.geo.taxonomy import TRANSFER_MODE_NAMES, TRL_LEVELS, TransferMode
from app.leads import service as lead_service
from app.leads.models import LeadStage
from app.web.access import ResearcherPage
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render

router = APIRouter(include_in_schema=False)

LEADS_PER_PAGE = 20  # the API's default page
MAX_PAGE = 10_000
NOTE_LIMIT = 2000  # as the reviewer's note
PATENT_ROWS_MAX = 50  # the API's limit
EMPTY_PATENT_ROWS = 2

# --- what each state means to the researcher, and what to do next ---

STATES: dict[str, str] = {
    ProjectStatus.draft: N_("Draft"),
    ProjectStatus.submitted: N_("In review"),
    ProjectStatus.changes_requested: N_("Changes requested"),
    ProjectStatus.published: N_("Published"),
    ProjectStatus.rejected: N_("Rejected"),
    ProjectStatus.archived: N_("Withdrawn"),
}
# The order of the groups on /me/projects: what needs the researcher first.
STATE_ORDER = [
    ProjectStatus.changes_requested,
    ProjectStatus.draft,
    ProjectStatus.rejected,
    ProjectStatus.submitted,
    ProjectStatus.published,
    ProjectStatus.archived,
]
NEXT_STEPS: dict[str, str] = {
    ProjectStatus.draft: N_(
        "Fill in what the checklist still asks for, then submit it for review."
    ),
    ProjectStatus.submitted: N_(
        "Nothing to do now: the secretariat is reviewing it. Its decision will appear here."
    ),
    ProjectStatus.changes_requested: N_("Answer the reviewer's note and resubmit."),
    ProjectStatus.published: N_(
        "It is public. When something changes, propose a revision: the published version "
        "stays online while the secretariat reviews it."
    ),
    ProjectStatus.rejected: N_(
        "Read the reviewer's note. You may improve the project and submit it again."
    ),
    ProjectStatus.archived: N_(
        "The secretariat took it off the public site. Ask the secretariat if it should return."
    ),
}
REVISION_STEPS: dict[str, str] = {
    RevisionStatus.open: N_("Your revision is saved but not sent: submit it for review."),
    RevisionStatus.submitted: N_(
        "Your revision is in review; the public sees the published version meanwhile."
    ),
    RevisionStatus.changes_requested: N_(
        "The reviewer asked for changes to your revision: answer the note and resubmit it."
    ),
}
REVISION_STATES: dict[str, str] = {
    RevisionStatus.open: N_("Saved, not yet sent for review. It changes:"),
    RevisionStatus.submitted: N_("In review. It changes:"),
    RevisionStatus.changes_requested: N_("The reviewer asked for changes. It changes:"),
}
DRAFT_COMPLETE = N_("The checklist is complete: submit it for review.")
EDITABLE = {
    ProjectStatus.draft,
    ProjectStatus.changes_requested,
    ProjectStatus.rejected,
    ProjectStatus.published,
    ProjectStatus.archived,
}
SUBMITTABLE = {ProjectStatus.draft, ProjectStatus.changes_requested, ProjectStatus.rejected}

ACTIONS: dict[str, str] = {
    "created": N_("Created the draft"),
    "edited": N_("Edited the project"),
    "submitted": N_("Submitted it for review"),
    "approve": N_("Approved and published it"),
    "reject": N_("Rejected it"),
    "request_changes": N_("Asked for changes"),
    "revision_edited": N_("Edited a revision"),
    "revision_submitted": N_("Submitted the revision for review"),
    "revision_approve": N_("Approved the revision: it is now public"),
    "revision_reject": N_("Rejected the revision"),
    "revision_request_changes": N_("Asked for changes to the revision"),
    "withdrawn": N_("Took it off the public site"),
    "republished": N_("Put it back on the public site"),
}
DECISIONS = {"reject", "request_changes", "revision_reject", "revision_request_changes"}
SUBMISSIONS = {"submitted", "revision_submitted"}

NOTICES: dict[str, str] = {
    "created": N_("Your draft is saved. Only you and the secretariat can see it."),
    "saved": N_("Your changes are saved."),
    "revision-saved": N_(
        "Your revision is saved. The public still sees the published version; submit the "
        "revision for review when it is ready."
    ),
    "unchanged": N_("Nothing had changed, so nothing was saved."),
    "submitted": N_("Sent for review. The secretariat's decision will appear here."),
    "revision-submitted": N_(
        "Your revision is sent for review. The published version stays online meanwhile."
    ),
}

# A lead's stage, as the researcher reads it.
LEAD_STAGES: dict[str, tuple[str, str]] = {
    LeadStage.new: (
        N_("New"),
        N_("An enterprise has shown interest; the secretariat will put you in touch."),
    ),
    LeadStage.contacted: (N_("Contacted"), N_("The secretariat has put you in touch.")),
    LeadStage.negotiating: (N_("Negotiating"), N_("You and the enterprise are discussing terms.")),
    LeadStage.signed: (
        N_("Signed"),
        N_("An agreement is signed; the project is being carried out."),
    ),
    LeadStage.landed: (N_("Landed"), N_("The project has landed in a city or zone.")),
    LeadStage.closed: (N_("Closed"), N_("The lead was closed without a deal.")),
}

TRANSFER_MODE_MEANINGS: dict[str, str] = {
    TransferMode.assignment: N_("The rights pass to the enterprise, for a price."),
    TransferMode.license: N_(
        "The enterprise may use the result on agreed terms; your institution keeps it."
    ),
    TransferMode.equity: N_("The result is valued and put into a company in return for shares."),
    TransferMode.co_development: N_("You and the enterprise develop or carry it out together."),
}
PATENT_STATUS: dict[str, str] = {
    PatentStatus.granted: N_("granted"),
    PatentStatus.pending: N_("pending"),
    PatentStatus.lapsed: N_("lapsed"),
}

# --- the project form ---

TEXT_LIMITS = {
    "external_id": 64,
    "title_zh": 300,
    "title_en": 300,
    "summary_zh": 20_000,
    "summary_en": 20_000,
    "description_zh": 20_000,
    "description_en": 20_000,
    "institution": 300,
    "contact_name": 120,
    "contact_email": 254,
    "contact_phone": 40,
}
# The form's fields in the order it shows them (and the error summary lists them).
FIELDS = (
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "description_zh",
    "description_en",
    "keywords",
    "industries",
    "trl",
    "transfer_modes",
    "price_wan",
    "institution",
    "city",
    "target_cities",
    "contact_name",
    "contact_email",
    "contact_phone",
    "patents",
    "external_id",
)
LABELS: dict[str, str] = {
    "external_id": N_("Your reference"),
    "title_zh": N_("Title in Chinese"),
    "title_en": N_("Title in English"),
    "summary_zh": N_("Summary in Chinese"),
    "summary_en": N_("Summary in English"),
    "description_zh": N_("Full description in Chinese"),
    "description_en": N_("Full description in English"),
    "keywords": N_("Keywords"),
    "industries": N_("Industries"),
    "trl": N_("Maturity (TRL)"),
    "transfer_modes": N_("Transfer modes"),
    "price_wan": N_("Asking price (万元)"),
    "institution": N_("Institution"),
    "city": N_("Home city or zone"),
    "target_cities": N_("Where it should land"),
    "contact_name": N_("Contact name"),
    "contact_email": N_("Contact e-mail"),
    "contact_phone": N_("Contact phone"),
    "patents": N_("Patents"),
}
MESSAGES: dict[str, str] = {
    "external_id": N_("A reference is one word of at most 64 characters, without spaces."),
    "title_zh": N_("A title is one line of at most 300 characters."),
    "title_en": N_("A title is one line of at most 300 characters."),
    "summary_zh": N_("A text of at most 20,000 characters."),
    "summary_en": N_("A text of at most 20,000 characters."),
    "description_zh": N_("A text of at most 20,000 characters."),
    "description_en": N_("A text of at most 20,000 characters."),
    "keywords": N_("Give at most 50 keywords of up to 80 characters each, separated by commas."),
    "industries": N_("Choose at most 10 industries from the list."),
    "trl": N_("The TRL is a whole number from 1 to 9."),
    "transfer_modes": N_("Choose transfer modes from the list."),
    "price_wan": N_("Enter the price in 万元 as a number, like 500 or 120.5."),
    "institution": N_("The institution's name is one line of at most 300 characters."),
    "city": N_("Choose a city or zone from the list."),
    "target_cities": N_("Choose at most 15 cities or zones from the list."),
    "contact_name": N_("A name is one line of at most 120 characters."),
    "contact_email": N_("Enter an e-mail address, like name@example.com."),
    "contact_phone": N_("Enter a phone number: digits, spaces and + - ( ), 5 to 40 of them."),
    "patents": N_("Give at most 50 patents."),
}
PATENT_MESSAGES: dict[str, str] = {
    "number": N_("Give the patent's number (up to 64 characters), or empty the row."),
    "title": N_("A patent title is one line of at most 300 characters."),
    "status": N_("Choose the patent's status from the list."),
}
PATENT_LABELS: dict[str, str] = {
    "number": N_("Patent %(n)s, number"),
    "title": N_("Patent %(n)s, title"),
    "status": N_("Patent %(n)s, status"),
}
NO_TITLE = N_("Give the project a title, in Chinese or in English.")
UNKNOWN_CODE: dict[str, str] = {
    "industries": N_("There is no such industry: choose one from the list."),
    "city": N_("There is no such city or zone: choose one from the list."),
    "target_cities": N_("There is no such city or zone: choose one from the list."),
}
REFERENCE_TAKEN = N_("Another project already has this reference: choose another.")
# Where each checklist item is filled in on the form.
CHECKLIST_FIELDS: dict[str, str] = {
    "scenarios": "summary_zh",
    "price": "price_wan",
    "patents": "patent-0-number",
}
_KEYWORD_SPLIT = re.compile(r"[,，、;；\n]+")
_TEXTS = (
    "title_zh",
    "title_en",
    "summary_zh",
    "summary_en",
    "description_zh",
    "description_en",
    "institution",
    "contact_name",
    "contact_email",
    "contact_phone",
)
_LISTS = ("industries", "transfer_modes", "target_cities")


@dataclass
class PatentRow:
    number: str = ""
    title: str = ""
    status: str = ""

    @property
    def blank(self) -> bool:
        return not (self.number.strip() or self.title.strip() or self.status.strip())


def _price_text(value: float | int | str | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".")


@dataclass
class ProjectForm:
    """What the project form holds, as typed (so it can be shown again exactly)."""

    external_id: str = ""
    title_zh: str = ""
    title_en: str = ""
    summary_zh: str = ""
    summary_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    keywords: str = ""
    industries: list[str] = field(default_factory=list)
    trl: str = ""
    transfer_modes: list[str] = field(default_factory=list)
    price_wan: str = ""
    institution: str = ""
    city: str = ""
    target_cities: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    patents: list[PatentRow] = field(default_factory=list)

    @classmethod
    def from_project(cls, project: ProjectDetail) -> ProjectForm:
        """The project as saved now: a published one with its revision's changes on top (the
        form edits the revision)."""
        contact = project.contact
        values: dict[str, Any] = {
            **project.model_dump(),
            "contact_name": contact.name if contact else None,
            "contact_email": contact.email if contact else None,
            "contact_phone": contact.phone if contact else None,
        }
        if project.revision is not None:
            values.update(project.revision.changes)
        patents = [
            PatentRow(p.get("number") or "", p.get("title") or "", p.get("status") or "")
            for p in values.get("patents") or []
        ]
        typed: dict[str, Any] = {name: values.get(name) or "" for name in _TEXTS}
        typed.update({name: list(values.get(name) or []) for name in _LISTS})
        return cls(
            external_id=project.external_id,
            keywords=", ".join(values.get("keywords") or []),
            trl=str(values["trl"]) if values.get("trl") is not None else "",
            price_wan=_price_text(values.get("price_wan")),
            city=values.get("city") or "",
            patents=patents,
            **typed,
        )

    @classmethod
    def from_form(cls, form: FormData) -> ProjectForm:
        def many(name: str) -> list[str]:
            values = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
            return list(dict.fromkeys(values))[:100]

        def column(name: str) -> list[str]:
            return [v[:301] if isinstance(v, str) else "" for v in form.getlist(name)]

        rows = [
            PatentRow(number, title, status)
            for number, title, status in zip_longest(
                column("patent_number"), column("patent_title"), column("patent_status"),
                fillvalue="",
            )
        ][: PATENT_ROWS_MAX + 10]  # fmt: skip
        # One character over each limit, so the schema names a text that is too long.
        texts = {name: text(form, name, limit + 1) for name, limit in TEXT_LIMITS.items()}
        return cls(
            **texts,
            keywords=text(form, "keywords", 50 * 82),
            industries=many("industries"),
            trl=text(form, "trl", 4).strip(),
            transfer_modes=many("transfer_modes"),
            price_wan=text(form, "price_wan", 30).strip(),
            city=text(form, "city", 17).strip(),
            target_cities=many("target_cities"),
            patents=rows,
        )

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in _KEYWORD_SPLIT.split(self.keywords) if k.strip()]

    @property
    def filled_patents(self) -> list[tuple[int, PatentRow]]:
        """The rows with anything in them, with their place on the form."""
        return [(i, row) for i, row in enumerate(self.patents) if not row.blank]

    def rows_shown(self, extra: int = EMPTY_PATENT_ROWS) -> list[PatentRow]:
        """The rows to draw: what was typed (trailing empty rows dropped) and ``extra`` more."""
        rows = list(self.patents)
        while rows and rows[-1].blank:
            rows.pop()
        return rows + [PatentRow() for _ in range(extra)]

    def _price(self) -> str:
        return self.price_wan.replace(",", "").replace("，", "").replace(" ", "")

    def value_of(self, name: str) -> Any:
        """One field as the API's body carries it (None: empty)."""
        if name in _TEXTS or name == "external_id":
            value = getattr(self, name)
            return value if value.strip() else None
        if name == "keywords":
            return self.keyword_list
        if name in _LISTS:
            return list(getattr(self, name))
        if name == "trl":
            return self.trl or None
        if name == "price_wan":
            return self._price() or None
        if name == "city":
            return self.city or None
        if name == "patents":
            return [
                {
                    "number": row.number,
                    "title": row.title if row.title.strip() else None,
                    "status": row.status or None,
                }
                for _, row in self.filled_patents
            ]
        raise KeyError(name)

    def values(self) -> dict[str, Any]:
        """The body of ``POST /api/v1/projects``: empty fields left out."""
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = self.value_of(name)
            if value is not None:
                out[name] = value
        return out

    def changed(self, saved: ProjectForm) -> dict[str, Any]:
        """The body of a ``PATCH``: the fields that differ from the project as saved (an
        emptied field is sent as None, which clears it)."""
        return {
            name: self.value_of(name)
            for name in FIELDS
            if name != "external_id" and self.shown(name) != saved.shown(name)
        }

    def shown(self, name: str) -> Any:
        """A field as compared between two versions."""
        if name == "patents":
            return [(r.number.strip(), r.title.strip(), r.status) for _, r in self.filled_patents]
        if name == "keywords":
            return self.keyword_list
        if name == "price_wan":
            try:
                return Decimal(self._price()) if self._price() else None
            except InvalidOperation:
                return self.price_wan
        value = getattr(self, name)
        return value.strip() if isinstance(value, str) else value

    def preview(self) -> ProjectPublic:
        """The typed project as the API would show it, for the completeness checklist: what
        cannot be read (a TRL of 12, a price in words) counts as not given."""
        trl = int(self.trl) if self.trl.isascii() and self.trl.isdigit() else None
        try:
            price: float | None = float(Decimal(self._price())) if self._price() else None
        except InvalidOperation:
            price = None
        now = dt.datetime.now(dt.UTC)
        return ProjectPublic(
            id=0,
            external_id=self.external_id,
            title_zh=self.title_zh.strip() or None,
            title_en=self.title_en.strip() or None,
            summary_zh=self.summary_zh.strip() or None,
            summary_en=self.summary_en.strip() or None,
            keywords=self.keyword_list,
            industries=self.industries,
            trl=trl if trl is not None and trl in TRL_LEVELS else None,
            transfer_modes=[m for m in self.transfer_modes if m in TransferMode.__members__],
            institution=self.institution.strip() or None,
            city=self.city or None,
            target_cities=self.target_cities,
            price_wan=price if price is not None and price >= 0 else None,
            patents=[
                PatentPublic(
                    number=r.number.strip(), title=r.title or None, status=r.status or None
                )
                for _, r in self.filled_patents
                if r.number.strip()
            ],
            status=ProjectStatus.draft,
            version=1,
            created_at=now,
            updated_at=now,
            published_at=None,
        )


def _validation_errors(error: ValidationError, typed: ProjectForm) -> FormErrors:
    """The schema's complaints, by field, in words the page translates."""
    errors = FormErrors()
    if not typed.title_zh.strip() and not typed.title_en.strip():
        errors.add("title_zh", NO_TITLE)
    filled = [i for i, _ in typed.filled_patents]
    for item in error.errors():
        loc = item["loc"]
        if not loc:  # the model's own rule: at least one title
            errors.add("title_zh", NO_TITLE)
            continue
        name = str(loc[0])
        if name == "patents" and len(loc) >= 3 and isinstance(loc[1], int):
            row = filled[loc[1]] if loc[1] < len(filled) else 0
            part = str(loc[2])
            errors.add(f"patent-{row}-{part}", PATENT_MESSAGES.get(part, PATENT_MESSAGES["number"]))
        else:
            errors.add(name if name in MESSAGES else "title_zh", MESSAGES.get(name, NO_TITLE))
    return _ordered(errors, typed)


def _service_errors(problems: list[FieldError], typed: ProjectForm) -> FormErrors:
    errors = FormErrors()
    for problem in problems:
        if problem.field in ("title_zh", "title_en"):
            errors.add("title_zh", NO_TITLE)
        elif problem.field in UNKNOWN_CODE:
            errors.add(problem.field, UNKNOWN_CODE[problem.field])
        else:
            errors.add(problem.field, MESSAGES.get(problem.field, N_("Check this field.")))
    return _ordered(errors, typed)


def _ordered(errors: FormErrors, typed: ProjectForm) -> FormErrors:
    """Errors in the order the form shows the fields (patent rows where the patents are)."""
    order: list[str] = []
    for name in FIELDS:
        if name == "patents":
            order.append("patents")
            order += [
                f"patent-{i}-{part}"
                for i in range(len(typed.patents))
                for part in ("number", "title", "status")
            ]
        else:
            order.append(name)
    known = [k for k in order if k in errors.fields]
    rest = [k for k in errors.fields if k not in known]
    return FormErrors({k: errors.fields[k] for k in known + rest})


def _labels(page: Page, typed: ProjectForm, rows: int) -> dict[str, str]:
    labels = {k: page.gettext(v) for k, v in LABELS.items()}
    for i in range(max(rows, len(typed.patents))):
        for part, label in PATENT_LABELS.items():
            labels[f"patent-{i}-{part}"] = page.gettext(label) % {"n": i + 1}
    return labels


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    hint: str = ""
    children: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class Names:
    """Codes and their names in the reader's language."""

    industries: list[Choice]
    cities: list[Choice]
    zones: list[Choice]
    trl: list[Choice]
    modes: list[Choice]
    industry: dict[str, str]
    city: dict[str, str]
    mode: dict[str, str]


def _names(page: Page, db: SessionDep) -> Names:
    taxonomy = geo_service.taxonomy(db)
    places = geo_service.list_cities(db).items
    industries = [
        Choice(
            node.code,
            page.name(node.name_zh, node.name_en),
            children=[Choice(c.code, page.name(c.name_zh, c.name_en)) for c in node.children],
        )
        for node in taxonomy.industries
    ]
    city = {p.code: page.name(p.name_zh, p.name_en, p.name_zh_hant) for p in places}
    mode = {m.value: page.name(*TRANSFER_MODE_NAMES[m][:2]) for m in TransferMode}
    return Names(
        industries=industries,
        cities=[Choice(p.code, city[p.code]) for p in places if p.kind == "city"],
        zones=[Choice(p.code, city[p.code]) for p in places if p.kind != "city"],
        trl=[Choice(str(n), page.name(*TRL_LEVELS[n])) for n in TRL_LEVELS],
        modes=[
            Choice(m.value, mode[m.value], page.gettext(TRANSFER_MODE_MEANINGS[m]))
            for m in TransferMode
        ],
        industry={c.code: c.label for node in industries for c in (node, *node.children)},
        city=city,
        mode=mode,
    )


def _display(page: Page, names: Names, form: ProjectForm, name: str) -> str:
    """A field's value as the side-by-side comparison shows it."""
    joined = page.gettext(N_(", ")).join
    if name == "industries":
        return joined(names.industry.get(c, c) for c in form.industries)
    if name == "transfer_modes":
        return joined(names.mode.get(m, m) for m in form.transfer_modes)
    if name == "target_cities":
        return joined(names.city.get(c, c) for c in form.target_cities)
    if name == "city":
        return names.city.get(form.city, form.city)
    if name == "trl":
        return (page.gettext(N_("TRL %(level)s")) % {"level": form.trl}) if form.trl else ""
    if name == "keywords":
        return joined(form.keyword_list)
    if name == "patents":
        lines = []
        for _, row in form.filled_patents:
            status = page.gettext(PATENT_STATUS[row.status]) if row.status in PATENT_STATUS else ""
            lines.append(" · ".join(x for x in (row.number, row.title, status) if x.strip()))
        return "\n".join(lines)
    value = getattr(form, name)
    return value.strip() if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Difference:
    label: str
    theirs: str
    yours: str


def _differences(
    page: Page, names: Names, saved: ProjectForm, typed: ProjectForm
) -> list[Difference]:
    return [
        Difference(
            page.gettext(LABELS[name]),
            _display(page, names, saved, name),
            _display(page, names, typed, name),
        )
        for name in FIELDS
        if name != "external_id" and saved.shown(name) != typed.shown(name)
    ]


@dataclass(frozen=True)
class CheckItem:
    item: str
    done: bool
    label: str
    target: str  # the form field it is filled in


def _checklist(page: Page, completeness: Completeness) -> list[CheckItem]:
    return [
        CheckItem(
            i.item,
            i.done,
            page.name(i.message_zh, i.message_en),
            CHECKLIST_FIELDS.get(i.item, i.item),
        )
        for i in completeness.checklist
    ]


# --- helpers shared by the pages ---


def _project_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such project")
    return number


def _own_project(db: SessionDep, user: User, value: str) -> ProjectDetail:
    """The project if the reader owns it: a 404 otherwise, as the API answers for a project
    one may not see (another's published project is no project of theirs either)."""
    number = _project_id(value)
    project = workflow.detail(db, number, user)
    if project.owner_id != user.id:
        raise NotFoundError(f"No project of yours has the id {number}")
    return project


def _redirect(page: Page, url: str) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


def _user(page: Page) -> User:
    assert page.user is not None  # ResearcherPage
    return page.user


def _state(project: ProjectPublic) -> str:
    return project.status if project.status in STATES else ProjectStatus.draft


def _next_step(project: ProjectDetail | ProjectPublic, score: int) -> str:
    revision = getattr(project, "revision", None)
    if project.status == ProjectStatus.published and revision is not None:
        return REVISION_STEPS.get(revision.status, NEXT_STEPS[ProjectStatus.published])
    if project.status == ProjectStatus.draft and score == 100:
        return DRAFT_COMPLETE
    return NEXT_STEPS.get(project.status, NEXT_STEPS[ProjectStatus.draft])


# --- /me/projects ---


@dataclass(frozen=True)
class ProjectLine:
    project: ProjectDetail
    state: str
    score: int
    missing: int
    next_step: str


@router.get("/me/projects")
def my_projects(page: ResearcherPage, db: SessionDep) -> Response:
    user = _user(page)
    lines: list[ProjectLine] = []
    for item in workflow.my_projects(db, user):
        project = workflow.detail(db, item.id, user)
        completeness = project.completeness or workflow.completeness(item)
        lines.append(
            ProjectLine(
                project=project,
                state=_state(project),
                score=completeness.score,
                missing=sum(1 for i in completeness.checklist if not i.done),
                next_step=_next_step(project, completeness.score),
            )
        )
    counts = {state: sum(1 for line in lines if line.state == state) for state in STATE_ORDER}
    wanted = page.request.query_params.get("state", "")
    status = 200
    if wanted and wanted not in STATES:
        status, wanted = 422, ""
    groups = [
        (state, sorted(
            (line for line in lines if line.state == state),
            key=lambda line: line.project.updated_at, reverse=True,
        ))
        for state in STATE_ORDER
        if (not wanted or state == wanted)
    ]  # fmt: skip
    return render(
        page,
        "research_projects.html",
        status=status,
        groups=[(state, items) for state, items in groups if items or wanted],
        counts=counts,
        total=len(lines),
        wanted=wanted,
        bad_state=status == 422,
        states=STATES,
        state_order=STATE_ORDER,
        names=_names(page, db),
    )


# --- the form: new, edit, the live checklist ---


def _form_page(
    page: Page,
    db: SessionDep,
    typed: ProjectForm,
    *,
    project: ProjectDetail | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
    version: int | None = None,
    stale: list[Difference] | None = None,
    extra_rows: int = EMPTY_PATENT_ROWS,
    notice: str | None = None,
) -> Response:
    rows = typed.rows_shown(extra_rows)
    completeness = workflow.completeness(typed.preview())
    return render(
        page,
        "research_form.html",
        status=status,
        form=typed,
        rows=rows,
        project=project,
        errors=errors or FormErrors(),
        labels=_labels(page, typed, len(rows)),
        names=_names(page, db),
        version=version,
        stale=stale,
        notice=notice,
        score=completeness.score,
        checklist=_checklist(page, completeness),
        patent_status=PATENT_STATUS,
        revision=project is not None and project.status == ProjectStatus.published,
    )


def _add_row(form: FormData) -> bool:
    return text(form, "action", 40) == "add-patent-row"


@router.get("/me/projects/new")
def new_project(page: ResearcherPage, db: SessionDep) -> Response:
    user = _user(page)
    organization = user.organization.name if user.organization is not None else ""
    return _form_page(page, db, ProjectForm(institution=organization))


@router.post("/me/projects/new")
def create_project(page: ResearcherPage, db: SessionDep, form: PostedForm) -> Response:
    user = _user(page)
    typed = ProjectForm.from_form(form)
    if _add_row(form):
        return _form_page(page, db, typed, extra_rows=1 + _blank_tail(typed))
    try:
        body = ProjectCreate.model_validate(typed.values())
    except ValidationError as error:
        errors = _validation_errors(error, typed)
        return _form_page(page, db, typed, errors=errors, status=422)
    try:
        project = workflow.create(db, user, body, geo_service.reference_codes(db))
    except InvalidInputError as error:
        errors = _service_errors(error.errors, typed)
        return _form_page(page, db, typed, errors=errors, status=422)
    except ConflictError:
        errors = FormErrors({"external_id": REFERENCE_TAKEN})
        return _form_page(page, db, typed, errors=errors, status=409)
    return _redirect(page, f"/me/projects/{project.id}?notice=created")


def _blank_tail(typed: ProjectForm) -> int:
    """How many empty rows end the typed patents (kept when a row is added)."""
    count = 0
    for row in reversed(typed.patents):
        if not row.blank:
            break
        count += 1
    return count


@router.get("/me/projects/{project_id}/edit")
def edit_project(page: ResearcherPage, db: SessionDep, project_id: str) -> Response:
    user = _user(page)
    project = _own_project(db, user, project_id)
    if project.status not in EDITABLE:
        return _project_page(page, db, project, status=409, notice=IN_REVIEW)
    return _form_page(
        page, db, ProjectForm.from_project(project), project=project, version=project.version
    )


IN_REVIEW = N_("The project is in review: it cannot be edited until the secretariat decides.")


@router.post("/me/projects/{project_id}/edit")
def save_project(
    page: ResearcherPage, db: SessionDep, form: PostedForm, project_id: str
) -> Response:
    user = _user(page)
    project = _own_project(db, user, project_id)
    typed = ProjectForm.from_form(form)
    typed.external_id = project.external_id
    raw = text(form, "version", 12).strip()
    known = int(raw) if raw.isascii() and raw.isdigit() else 0
    if _add_row(form):
        return _form_page(
            page, db, typed, project=project, version=known, extra_rows=1 + _blank_tail(typed)
        )
    if project.status not in EDITABLE:
        return _form_page(
            page, db, typed, project=project, version=known, status=409, notice=IN_REVIEW
        )
    if known != project.version:
        return _stale_page(page, db, project, typed)
    saved = ProjectForm.from_project(project)
    changes = typed.changed(saved)
    if not changes:
        return _redirect(page, f"/me/projects/{project.id}?notice=unchanged")
    try:
        patch = ProjectPatch.model_validate({**changes, "version": known})
    except ValidationError as error:
        errors = _validation_errors(error, typed)
        return _form_page(
            page, db, typed, project=project, errors=errors, status=422, version=known
        )
    try:
        after = workflow.update(db, user, project.id, patch, geo_service.reference_codes(db))
    except InvalidInputError as error:
        errors = _service_errors(error.errors, typed)
        return _form_page(
            page, db, typed, project=project, errors=errors, status=422, version=known
        )
    except ConflictError:  # saved by someone else a moment ago, or sent to review
        db.rollback()
        current = _own_project(db, user, project_id)
        if current.status not in EDITABLE:
            return _form_page(
                page, db, typed, project=current, version=known, status=409, notice=IN_REVIEW
            )
        return _stale_page(page, db, current, typed)
    notice = "revision-saved" if after.status == ProjectStatus.published else "saved"
    return _redirect(page, f"/me/projects/{project.id}?notice={notice}")


def _stale_page(page: Page, db: SessionDep, current: ProjectDetail, typed: ProjectForm) -> Response:
    """Somebody saved first: both versions side by side, the typed values kept in the form,
    which now carries the current version, so a new save replaces it knowingly."""
    names = _names(page, db)
    differences = _differences(page, names, ProjectForm.from_project(current), typed)
    return _form_page(
        page, db, typed, project=current, status=409, version=current.version, stale=differences
    )


@router.post("/me/projects/checklist")
@reads_only  # every pause in typing posts here: it must never wait for the write lock
def checklist(page: ResearcherPage, form: PostedForm) -> Response:
    """The completeness checklist of the typed fields (an HTML fragment for research.js);
    nothing is saved."""
    completeness = workflow.completeness(ProjectForm.from_form(form).preview())
    return render(
        page,
        "_checklist.html",
        score=completeness.score,
        checklist=_checklist(page, completeness),
    )


# --- /me/projects/{id} ---


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    who: str
    what: str
    note: str | None
    decision: bool


def _history(page: Page, db: SessionDep, user: User, project: ProjectDetail) -> list[HistoryEntry]:
    people: dict[int, str] = {}
    entries = []
    for event in project.events or []:
        if event.actor_id is None:
            who = N_("Ketao")
        elif event.actor_id == user.id:
            who = N_("You")
        else:
            if event.actor_id not in people:
                actor = get_user(db, event.actor_id)
                people[event.actor_id] = (
                    N_("The secretariat")
                    if actor is None or actor.role == Role.secretariat
                    else N_("A colleague")
                )
            who = people[event.actor_id]
        entries.append(
            HistoryEntry(
                at=event.at,
                who=page.gettext(who),
                what=page.gettext(ACTIONS[event.action])
                if event.action in ACTIONS
                else event.action,
                note=event.note,
                decision=event.action in DECISIONS,
            )
        )
    return list(reversed(entries))


def _reviewer_note(project: ProjectDetail) -> tuple[dt.datetime, str, str] | None:
    """The reviewer's latest decision with a note, while it still stands (no submission
    since): when, what they decided, the note."""
    for event in reversed(project.events or []):
        if event.action in SUBMISSIONS:
            return None
        if event.action in DECISIONS:
            return (event.at, event.action, event.note) if event.note else None
    return None


def _project_page(
    page: Page,
    db: SessionDep,
    project: ProjectDetail,
    *,
    status: int = 200,
    notice: str | None = None,
    errors: FormErrors | None = None,
    answer: str = "",
) -> Response:
    user = _user(page)
    completeness = project.completeness or workflow.completeness(project)
    revision = project.revision
    published = project.status == ProjectStatus.published
    if notice is None:
        notice = NOTICES.get(page.request.query_params.get("notice", ""))
    can_submit = project.status in SUBMITTABLE or (
        published
        and revision is not None
        and revision.status in (RevisionStatus.open, RevisionStatus.changes_requested)
        and bool(revision.changes)
    )
    saved = ProjectForm.from_project(project)
    names = _names(page, db)
    return render(
        page,
        "research_project.html",
        status=status,
        project=project,
        state=_state(project),
        states=STATES,
        next_step=_next_step(project, completeness.score),
        score=completeness.score,
        checklist=_checklist(page, completeness),
        history=_history(page, db, user, project),
        reviewer_note=_reviewer_note(project),
        decisions={k: ACTIONS[k] for k in DECISIONS},
        published=published,
        revision=revision,
        revision_changes=[
            (page.gettext(LABELS[name]), _display(page, names, saved, name))
            for name in FIELDS
            if revision is not None and name in revision.changes
        ],
        revision_state=REVISION_STATES.get(revision.status, "") if revision else "",
        status_error=status >= 400,
        can_edit=project.status in EDITABLE,
        can_submit=can_submit,
        notice=notice,
        errors=errors or FormErrors(),
        answer=answer,
        names=names,
        patent_status=PATENT_STATUS,
        labels={"note": page.gettext(N_("Your answer to the reviewer"))},
    )


@router.get("/me/projects/{project_id}")
def project_page(page: ResearcherPage, db: SessionDep, project_id: str) -> Response:
    return _project_page(page, db, _own_project(db, _user(page), project_id))


@router.post("/me/projects/{project_id}/submit")
def submit_project(
    page: ResearcherPage, db: SessionDep, form: PostedForm, project_id: str
) -> Response:
    user = _user(page)
    project = _own_project(db, user, project_id)
    answer = text(form, "note", NOTE_LIMIT + 1).strip()
    if len(answer) > NOTE_LIMIT:
        errors = FormErrors({"note": N_("Write at most 2,000 characters.")})
        return _project_page(page, db, project, status=422, errors=errors, answer=answer)
    try:
        after = workflow.submit(db, user, project.id, answer or None)
    except ConflictError:
        db.rollback()
        current = _own_project(db, user, project_id)
        notice = N_("This project cannot be submitted now: see its state below.")
        return _project_page(page, db, current, status=409, notice=notice, answer=answer)
    code = "revision-submitted" if after.status == ProjectStatus.published else "submitted"
    return _redirect(page, f"/me/projects/{project.id}?notice={code}")


# --- /me/interest ---


@dataclass
class _Title:
    """A lead's project title, shown as a listing's (``display.Bilingual``)."""

    title_zh: str | None
    title_en: str | None
    summary_zh: str | None = None
    summary_en: str | None = None


@router.get("/me/interest")
def interest(page: ResearcherPage, db: SessionDep) -> Response:
    user = _user(page)
    params = page.request.query_params
    status = 200
    stage: LeadStage | None = None
    raw_stage = params.get("stage", "")
    if raw_stage:
        if raw_stage in LeadStage.__members__:
            stage = LeadStage(raw_stage)
        else:
            status = 422
    raw_page = params.get("page", "")
    number = 1
    if raw_page:
        if raw_page.isascii() and raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            number = int(raw_page)
        else:
            status = 422
    leads = lead_service.list_leads(db, user, stage, number, LEADS_PER_PAGE)
    last = max(1, math.ceil(leads.total / LEADS_PER_PAGE))
    titles = {
        lead.id: page.shown(_Title(lead.project_title_zh, lead.project_title_en), "title")
        for lead in leads.items
    }
    return render(
        page,
        "research_interest.html",
        status=status,
        leads=leads,
        titles=titles,
        stage=stage.value if stage else "",
        stages=LEAD_STAGES,
        bad_query=status == 422,
        page_number=number,
        last_page=last,
        names=_names(page, db),
    )
