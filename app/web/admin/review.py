"""The review queue: submissions and revisions awaiting the secretariat, oldest first; one item
in full (a revision as a diff against the published version) with its completeness checklist;
the decision (approve / request changes / reject), after which the reviewer lands on the next
item. Decisions go through ``app.catalog.workflow.review``, as ``POST
/api/v1/projects/{id}/review`` does."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.auth.service import get_user
from app.catalog import workflow
from app.catalog.schemas import ChecklistItem, ProjectDetail, ProjectPublic, ReviewRequest
from app.catalog.schemas import ReviewDecision as Decision
from app.deps import SessionDep
from app.errors import ConflictError, NotFoundError
from app.geo import service as geo_service
from app.web.access import SecretariatPage
from app.web.admin.library import PROJECT_STATUS
from app.web.forms import FormErrors, PostedForm, text
from app.web.i18n import N_
from app.web.pages import Page, remember, render
from app.web.projects import PATENT_STATUS, listing_names

router = APIRouter(include_in_schema=False)

NOTE_MAX = 2000
DECISIONS: dict[str, str] = {
    Decision.approve: N_("Approve and publish"),
    Decision.request_changes: N_("Request changes"),
    Decision.reject: N_("Reject"),
}
# What the notice on the next item says was done.
DONE: dict[str, str] = {
    Decision.approve: N_("Approved and published: “%(title)s”."),
    Decision.request_changes: N_("Changes requested: “%(title)s”."),
    Decision.reject: N_("Rejected: “%(title)s”."),
}
EVENTS: dict[str, str] = {
    "created": N_("Created"),
    "edited": N_("Edited"),
    "submitted": N_("Submitted for review"),
    "approve": N_("Approved and published"),
    "request_changes": N_("Changes requested"),
    "reject": N_("Rejected"),
    "revision_edited": N_("Revision edited"),
    "revision_submitted": N_("Revision submitted"),
    "revision_approve": N_("Revision approved"),
    "revision_request_changes": N_("Changes to the revision requested"),
    "revision_reject": N_("Revision rejected"),
    "withdrawn": N_("Withdrawn"),
    "republished": N_("Republished"),
}
HISTORY = 15
KINDS: dict[str, str] = {"submission": N_("New submission"), "revision": N_("Revision")}
# The import format's fields in the order a listing shows them, with what each is called.
FIELDS: dict[str, str] = {
    "title_zh": N_("Title in Chinese"),
    "title_en": N_("Title in English"),
    "summary_zh": N_("Summary in Chinese"),
    "summary_en": N_("Summary in English"),
    "description_zh": N_("Description in Chinese"),
    "description_en": N_("Description in English"),
    "keywords": N_("Keywords"),
    "industries": N_("Industry"),
    "trl": N_("Maturity (TRL)"),
    "transfer_modes": N_("Transfer mode"),
    "price_wan": N_("Asking price (万元)"),
    "institution": N_("Institution"),
    "city": N_("Home city or zone"),
    "target_cities": N_("Target cities and zones"),
    "patents": N_("Patents"),
    "contact_name": N_("Contact name"),
    "contact_email": N_("Contact e-mail"),
    "contact_phone": N_("Contact phone"),
}
TEXTS = {"title_zh", "title_en", "summary_zh", "summary_en", "description_zh", "description_en"}
CHINESE = {"title_zh", "summary_zh", "description_zh", "institution", "contact_name"}
ENGLISH = {"title_en", "summary_en", "description_en"}
# Latin words and numbers whole, runs of spaces, every other character (a Chinese one) alone.
_TOKENS = re.compile(r"[A-Za-z0-9_'’.-]+|\s+|.", re.S)


@dataclass(frozen=True)
class Entry:
    """One item of the queue, as the list shows it."""

    project: ProjectPublic
    kind: str
    score: int
    submitter: str
    organisation: str
    submitted_at: dt.datetime
    changes: dict[str, Any] | None = None  # a revision's: the one submitted, not a newer draft


@dataclass(frozen=True)
class Change:
    """A changed field of a revision: what it was and what it becomes (safe HTML)."""

    field: str
    label: str
    old: Markup
    new: Markup
    lang: str | None


def _submitted_at(item: ProjectDetail, kind: str) -> dt.datetime:
    action = "revision_submitted" if kind == "revision" else "submitted"
    times = [e.at for e in item.events or [] if e.action == action]
    return times[-1] if times else item.updated_at


def queue(db: Session, reviewer: Any) -> list[Entry]:
    """``workflow.review_queue`` with who submitted each item and when, oldest first."""
    entries = []
    for item in workflow.review_queue(db):
        full = workflow.detail(db, item.project.id, reviewer)
        owner = get_user(db, full.owner_id) if full.owner_id is not None else None
        entries.append(
            Entry(
                project=item.project,
                kind=item.kind,
                score=item.completeness.score,
                submitter=(owner.full_name or owner.email) if owner else "",
                organisation=owner.organization.name if owner and owner.organization else "",
                submitted_at=_submitted_at(full, item.kind),
                changes=item.changes,
            )
        )
    return sorted(entries, key=lambda e: (e.submitted_at, e.project.id))


def _project_id(value: str) -> int:
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 10 else 0
    if not 1 <= number <= 2**31 - 1:
        raise NotFoundError("No such project")
    return number


def _redirect(page: Page, url: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    remember(page, response)
    return response


def _title(page: Page, project: ProjectPublic) -> str:
    shown = page.shown(project, "title")
    return str(shown.html.unescape()) if shown else f"#{project.id}"


def _notice(page: Page, db: Session) -> str | None:
    """What the reviewer just did (``?decided=<id>&decision=…`` after a decision)."""
    params = page.request.query_params
    decision, decided = params.get("decision", ""), params.get("decided", "")
    if decision not in DONE or not (decided.isascii() and decided.isdigit()) or len(decided) > 10:
        return None
    try:
        project = workflow.detail(db, int(decided), page.user)
    except NotFoundError:
        return None
    return page.gettext(DONE[decision]) % {"title": _title(page, project)}


@router.get("/admin")
def admin(page: SecretariatPage) -> Response:
    return _redirect(page, "/admin/review")


@router.get("/admin/review")
def review_list(page: SecretariatPage, db: SessionDep) -> Response:
    return render(
        page,
        "admin/review.html",
        section="review",
        entries=queue(db, page.user),
        kinds=KINDS,
        notice=_notice(page, db),
    )


# --- one item ---


def _words(value: str) -> list[str]:
    return _TOKENS.findall(value)


_MARKED = (
    '<{tag}><span class="visually-hidden">[{said} </span>{content}'
    '<span class="visually-hidden">]</span></{tag}>'
)


def _removed(page: Page, content: str) -> str:
    said = escape(page.gettext(N_("removed:")))
    return _MARKED.format(tag="del", said=said, content=escape(content))


def _added(page: Page, content: str) -> str:
    said = escape(page.gettext(N_("added:")))
    return _MARKED.format(tag="ins", said=said, content=escape(content))


def _pieces(a: list[str], b: list[str]) -> list[tuple[bool, str, str]]:
    """(same?, old piece, new piece): difflib's opcodes, with a run of spaces between two
    changes folded into them, so "a b" → "c d" is one change, not two."""
    out: list[tuple[bool, str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        gone, come = "".join(a[i1:i2]), "".join(b[j1:j2])
        out.append((op == "equal", gone, come))
    merged: list[tuple[bool, str, str]] = []
    for index, (same, gone, come) in enumerate(out):
        between = 0 < index < len(out) - 1 and same and not gone.strip()
        if (between or not same) and merged and not merged[-1][0]:
            _, old, new = merged[-1]
            merged[-1] = (False, old + gone, new + come)
        else:
            merged.append((same and not between, gone, come))
    return merged


def text_diff(page: Page, old: str, new: str) -> tuple[Markup, Markup]:
    """The old text with what goes in ``<del>``, the new with what comes in ``<ins>`` (words
    of Latin script, single Chinese characters); a screen reader hears "removed"/"added"."""
    before: list[str] = []
    after: list[str] = []
    for same, gone, come in _pieces(_words(old), _words(new)):
        if same:
            before.append(str(escape(gone)))
            after.append(str(escape(come)))
            continue
        if gone:
            before.append(_removed(page, gone))
        if come:
            after.append(_added(page, come))
    return Markup("".join(before)), Markup("".join(after))  # noqa: S704 - escaped piece by piece


def _whole(page: Page, old: str, new: str) -> tuple[Markup, Markup]:
    """A value that is replaced, not edited (a level, a price, a city)."""
    return (
        Markup(_removed(page, old)) if old else Markup(""),  # noqa: S704 - escaped in _removed
        Markup(_added(page, new)) if new else Markup(""),  # noqa: S704 - escaped in _added
    )


def _list_diff(page: Page, old: Sequence[str], new: Sequence[str]) -> tuple[Markup, Markup]:
    def show(items: Sequence[str], others: Sequence[str], mark: Any) -> Markup:
        if not items:
            return Markup('<span class="muted">{}</span>').format(page.gettext(N_("(none)")))
        parts = [mark(page, i) if i not in others else str(escape(i)) for i in items]
        return Markup("<br>".join(parts))  # noqa: S704 - each part escaped above

    return show(old, new, _removed), show(new, old, _added)


def _shown_value(page: Page, name: str, value: Any, names: dict[str, dict[str, str]]) -> Any:
    """A field's value as a reviewer reads it: names for codes, text in the reader's script."""
    if value is None or value == "" or value == []:
        return None
    if name == "industries":
        return [names["industry"].get(v, v) for v in value]
    if name == "target_cities":
        return [names["city"].get(v, v) for v in value]
    if name == "city":
        return names["city"].get(value, value)
    if name == "transfer_modes":
        return [names["mode"].get(v, v) for v in value]
    if name == "trl":
        return f"{value} · {names['trl'].get(str(value), '')}"
    if name == "price_wan":
        return page.number(float(value))
    if name == "patents":
        out = []
        for patent in value:
            data = patent if isinstance(patent, dict) else patent.model_dump()
            status = str(data.get("status") or "")
            parts = [data.get("number") or "", page.text(data.get("title") or "")]
            if status:
                parts.append(f"({page.gettext(PATENT_STATUS.get(status, status))})")
            out.append(" ".join(p for p in parts if p))
        return out
    if name == "keywords":
        return [page.text(v) for v in value]
    if name in CHINESE:
        return page.text(str(value))
    return str(value)


def _content_lang(page: Page, name: str) -> str | None:
    if name in CHINESE and page.language == "en":
        return "zh-Hans"
    if (name in ENGLISH or name == "contact_email") and page.language != "en":
        return "en"
    return None


def _record(project: ProjectDetail) -> dict[str, Any]:
    """The published version in the import format's names (what a revision changes)."""
    data = project.model_dump()
    contact = project.contact
    data["contact_name"] = contact.name if contact else None
    data["contact_email"] = contact.email if contact else None
    data["contact_phone"] = contact.phone if contact else None
    return data


def _same(old: Any, new: Any) -> bool:
    def norm(value: Any) -> Any:
        if value in (None, "", []):
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, list):
            return [v.model_dump() if hasattr(v, "model_dump") else v for v in value]
        return value

    return bool(norm(old) == norm(new))


def changes(
    page: Page, project: ProjectDetail, revised: dict[str, Any], names: dict[str, dict[str, str]]
) -> list[Change]:
    """The fields a revision changes, each with the old and the new value marked up."""
    current = _record(project)
    out = []
    for name, label in FIELDS.items():
        if name not in revised or _same(current.get(name), revised[name]):
            continue
        old = _shown_value(page, name, current.get(name), names)
        new = _shown_value(page, name, revised[name], names)
        if name in TEXTS or name in CHINESE:
            pair = text_diff(page, old or "", new or "")
        elif isinstance(old or new, str):
            pair = _whole(page, old or "", new or "")
        else:
            pair = _list_diff(page, old or [], new or [])
        out.append(Change(name, page.gettext(label), *pair, _content_lang(page, name)))
    return out


def _facts(
    page: Page, project: ProjectDetail, names: dict[str, dict[str, str]]
) -> list[tuple[str, Any, str | None]]:
    """Every field of a submission that holds something: (label, value, content language)."""
    current = _record(project)
    out = []
    for name, label in FIELDS.items():
        value = _shown_value(page, name, current.get(name), names)
        if value is not None:
            out.append((page.gettext(label), value, _content_lang(page, name)))
    return out


def _revised_completeness(project: ProjectDetail, revised: dict[str, Any]) -> list[ChecklistItem]:
    """The checklist as it would be with the revision applied."""
    fields = ProjectPublic.model_fields
    update = {k: v for k, v in revised.items() if k in fields and k != "patents"}
    if "patents" in revised:
        update["patents"] = revised["patents"] or []
    merged = ProjectPublic(**{**project.model_dump(include=set(fields)), **update})
    return workflow.completeness(merged).checklist


def _item_page(
    page: Page,
    db: Session,
    project_id: int,
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    decision: str = "",
    note: str = "",
    stale: bool = False,
) -> Response:
    project = workflow.detail(db, project_id, page.user)
    entries = queue(db, page.user)
    position = next((i for i, e in enumerate(entries) if e.project.id == project_id), None)
    entry = entries[position] if position is not None else None
    taxonomy = geo_service.taxonomy(db)
    names = listing_names(page, taxonomy, geo_service.list_cities(db).items)
    revision: dict[str, Any] | None = None
    if entry and entry.kind == "revision" and entry.changes is not None:
        revision = dict(entry.changes)
    if revision is not None:
        checklist = _revised_completeness(project, revision)
    else:
        checklist = project.completeness.checklist if project.completeness else []
    score = round(100 * sum(i.done for i in checklist) / len(checklist)) if checklist else 0
    owner = get_user(db, project.owner_id) if project.owner_id is not None else None
    return render(
        page,
        "admin/review_item.html",
        status=status,
        section="review",
        project=project,
        entry=entry,
        position=position,
        count=len(entries),
        following=entries[position + 1]
        if position is not None and position + 1 < len(entries)
        else None,
        owner=owner,
        kinds=KINDS,
        changes=changes(page, project, revision, names) if revision is not None else [],
        facts=_facts(page, project, names) if revision is None else [],
        checklist=[(i.done, page.name(i.message_zh, i.message_en)) for i in checklist],
        score=score,
        decisions=DECISIONS,
        errors=errors or FormErrors(),
        decision=decision,
        note=note,
        stale=stale,
        statuses=PROJECT_STATUS,
        history=[
            (e.at, page.gettext(EVENTS.get(e.action, e.action)), e.note)
            for e in (project.events or [])[-HISTORY:]
        ],
        notice=_notice(page, db),
        labels={"decision": page.gettext(N_("Decision")), "note": page.gettext(N_("Note"))},
    )


@router.get("/admin/review/{project_id}")
def review_item(page: SecretariatPage, db: SessionDep, project_id: str) -> Response:
    return _item_page(page, db, _project_id(project_id))


def _next(entries: Sequence[Entry], project_id: int) -> Entry | None:
    """The item after this one in the queue (or, at its end, the first left)."""
    ids = [e.project.id for e in entries]
    if project_id not in ids:
        return entries[0] if entries else None
    at = ids.index(project_id)
    rest = [*entries[at + 1 :], *entries[:at]]
    return rest[0] if rest else None


@router.post("/admin/review/{project_id}")
def decide(page: SecretariatPage, db: SessionDep, form: PostedForm, project_id: str) -> Response:
    number = _project_id(project_id)
    assert page.user is not None
    decision = text(form, "decision", 40)
    note = text(form, "note", NOTE_MAX + 1).strip()
    version = text(form, "version", 12)
    errors = FormErrors()
    if decision not in DECISIONS:
        errors.add("decision", N_("Choose a decision."))
    if decision in (Decision.request_changes, Decision.reject) and not note:
        errors.add("note", N_("Say what the researcher should change, or why it is rejected."))
    body: ReviewRequest | None = None
    if not errors:
        try:
            body = ReviewRequest(decision=Decision(decision), note=note or None)
        except ValidationError:
            errors.add("note", N_("Write a note of at most 2,000 characters, in plain text."))
    if errors or body is None:
        return _item_page(page, db, number, status=422, errors=errors, decision=decision, note=note)
    entries = queue(db, page.user)
    current = workflow.detail(db, number, page.user)
    # The version guard: the reviewer decides on what they read. Another reviewer's decision,
    # or an edit since, moved the project's version (or took it out of the queue).
    if str(current.version) != version or number not in [e.project.id for e in entries]:
        return _item_page(page, db, number, status=409, decision=decision, note=note, stale=True)
    try:
        workflow.review(db, page.user, number, body.decision, body.note)
    except ConflictError:
        return _item_page(page, db, number, status=409, decision=decision, note=note, stale=True)
    following = _next(entries, number)
    done = urlencode({"decided": number, "decision": body.decision.value})
    if following is None:
        return _redirect(page, f"/admin/review?{done}")
    return _redirect(page, f"/admin/review/{following.project.id}?{done}")
