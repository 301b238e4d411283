"""The life of a project: a researcher's draft, edits, submission, the secretariat's review,
publication; edits to a published project as reviewed revisions; and the audit log.

Transitions (anything else is a 409 naming the state):

    draft ─submit→ submitted ─approve→ published
    changes_requested ─submit→ submitted ─request_changes→ changes_requested
    rejected ─submit→ submitted ─reject→ rejected
    published ─withdraw→ archived ─republish→ published      (the secretariat)

A published project stays as it is while its owner edits a revision, submits it, and the
secretariat decides; approval applies the revision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from app.auth.models import Role, User
from app.catalog import schemas
from app.catalog.models import (
    Project,
    ProjectEvent,
    ProjectRevision,
    ProjectStatus,
    RevisionStatus,
)
from app.catalog.records import LOAD, to_public, upsert_project
from app.catalog.schemas import ProjectCreate, ProjectPatch
from app.catalog.schemas import ReviewDecision as Decision
from app.common import checked_edit, claim_version
from app.db import utcnow
from app.errors import ConflictError, ForbiddenError, NotFoundError
from app.geo.service import ReferenceCodes, check_references

SUBMITTABLE = {ProjectStatus.draft, ProjectStatus.changes_requested, ProjectStatus.rejected}
OPEN_REVISION = (RevisionStatus.open, RevisionStatus.changes_requested)


_OUTCOME = {
    Decision.approve: ProjectStatus.published,
    Decision.reject: ProjectStatus.rejected,
    Decision.request_changes: ProjectStatus.changes_requested,
}
_REVISION_OUTCOME = {
    Decision.approve: RevisionStatus.approved,
    Decision.reject: RevisionStatus.rejected,
    Decision.request_changes: RevisionStatus.changes_requested,
}


def is_insider(project: Project, user: User | None) -> bool:
    """The owner and the secretariat see a project in every state, and its audit log."""
    return user is not None and (user.role == Role.secretariat or project.owner_id == user.id)


def can_see(project: Project, user: User | None) -> bool:
    return project.status == ProjectStatus.published or is_insider(project, user)


def _load(session: Session, project_id: int, user: User | None) -> Project:
    project = session.scalar(select(Project).where(Project.id == project_id).options(*LOAD))
    if project is None or not can_see(project, user):
        raise NotFoundError(f"No project you may see has the id {project_id}")
    return project


def _log(
    session: Session,
    project: Project,
    actor: User,
    action: str,
    before: str | None,
    after: str | None,
    note: str | None = None,
) -> None:
    session.add(
        ProjectEvent(
            project_id=project.id,
            actor_id=actor.id,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
        )
    )


def create(
    session: Session, user: User, data: ProjectCreate, refs: ReferenceCodes
) -> schemas.ProjectDetail:
    values = data.model_dump(exclude_unset=True)
    check_references(values, refs)
    values["status"] = ProjectStatus.draft.value
    if "institution" not in values and user.organization is not None:
        values["institution"] = user.organization.name
    if data.external_id is not None:
        taken = session.scalar(select(Project.id).where(Project.external_id == data.external_id))
        if taken is not None:
            raise ConflictError(f"external_id '{data.external_id}' is taken")
    _, project = upsert_project(session, None, values, owner_id=user.id)
    assert project is not None
    _log(session, project, user, "created", None, ProjectStatus.draft)
    session.flush()
    return detail(session, project.id, user)


def update(
    session: Session, user: User, project_id: int, patch: ProjectPatch, refs: ReferenceCodes
) -> schemas.ProjectDetail:
    project = _load(session, project_id, user)
    if not is_insider(project, user):
        raise ForbiddenError("Only the project's owner or the secretariat may edit it")
    values = patch.model_dump(exclude_unset=True, exclude={"version"})
    checked_edit("project", project, patch.version, values)
    check_references(values, refs)
    if project.status == ProjectStatus.published:
        # The public keeps seeing the published version until a reviewer approves this.
        if _awaits_review(session, project):  # a second revision would wait beside it
            raise ConflictError("A revision of the project is in review; wait for the decision")
        revision = _open_revision(session, project)
        if revision is None:
            revision = ProjectRevision(project_id=project.id, author_id=user.id, changes={})
            session.add(revision)
        revision.changes = {**revision.changes, **_jsonable(values)}
        revision.status = RevisionStatus.open
        # The edit is versioned like any other: it moves the project's version on, so a second
        # edit made from the same version is refused instead of silently replacing this one.
        claim_version(session, Project, project, patch.version, "project")
        _log(session, project, user, "revision_edited", project.status, project.status)
    elif project.status == ProjectStatus.submitted:
        raise ConflictError("The project is in review; wait for the decision to edit it")
    else:
        try:
            upsert_project(session, project, values)
        except StaleDataError as exc:
            raise ConflictError("The project changed meanwhile; reload it") from exc
        _log(session, project, user, "edited", project.status, project.status)
    session.flush()
    return detail(session, project.id, user)


def submit(
    session: Session, user: User, project_id: int, note: str | None = None
) -> schemas.ProjectDetail:
    """The owner sends the project (or its revision) to review; ``note`` — an answer to the
    reviewer's note, or a word for them — is kept in the audit log with the submission."""
    project = _load(session, project_id, user)
    if project.owner_id != user.id:
        raise ForbiddenError("Only the project's owner submits it for review")
    if project.status == ProjectStatus.published:
        revision = _open_revision(session, project)
        if revision is None or not revision.changes:
            raise ConflictError("The published project has no edits to submit")
        revision.status = RevisionStatus.submitted
        _log(session, project, user, "revision_submitted", project.status, project.status, note)
    elif ProjectStatus(project.status) in SUBMITTABLE:
        before = project.status
        project.status = ProjectStatus.submitted
        project.updated_at = utcnow()
        _log(session, project, user, "submitted", before, ProjectStatus.submitted, note)
    else:
        raise ConflictError(f"A {project.status} project cannot be submitted")
    session.flush()
    return detail(session, project.id, user)


def review(
    session: Session, reviewer: User, project_id: int, decision: Decision, note: str | None
) -> schemas.ProjectDetail:
    project = _load(session, project_id, reviewer)
    if project.status == ProjectStatus.published:
        revision = session.scalar(
            select(ProjectRevision).where(
                ProjectRevision.project_id == project.id,
                ProjectRevision.status == RevisionStatus.submitted,
            )
        )
        if revision is None:
            raise ConflictError("Nothing of this project awaits review")
        revision.status = _REVISION_OUTCOME[decision]
        revision.decided_at = utcnow()
        if decision is Decision.approve:
            upsert_project(session, project, dict(revision.changes))
        _log(
            session, project, reviewer, f"revision_{decision.value}", project.status,
            project.status, note,
        )  # fmt: skip
    elif project.status == ProjectStatus.submitted:
        after = _OUTCOME[decision]
        if after is ProjectStatus.published:
            # upsert_project sets published_at and writes the outbox row that indexes it
            upsert_project(session, project, {"status": after.value})
        else:
            project.status = after
            project.updated_at = utcnow()
        _log(session, project, reviewer, decision.value, ProjectStatus.submitted, after, note)
    else:
        raise ConflictError(f"A {project.status} project is not in review")
    session.flush()
    return detail(session, project.id, reviewer)


def withdraw(session: Session, user: User, project_id: int) -> schemas.ProjectDetail:
    """The secretariat takes a published project off the public site (it is ``archived``: its
    owner and the secretariat still see it, and it can be republished)."""
    if user.role != Role.secretariat:
        raise ForbiddenError("Only the secretariat withdraws a project")
    project = _load(session, project_id, user)
    if project.status != ProjectStatus.published:
        raise ConflictError(f"A {project.status} project cannot be withdrawn; only a published one")
    if _awaits_review(session, project):
        raise ConflictError("A revision of the project awaits review; decide it first")
    upsert_project(session, project, {"status": ProjectStatus.archived.value})
    _log(session, project, user, "withdrawn", ProjectStatus.published, ProjectStatus.archived)
    session.flush()
    return detail(session, project.id, user)


def republish(session: Session, user: User, project_id: int) -> schemas.ProjectDetail:
    """The secretariat puts a withdrawn (``archived``) project back on the public site."""
    if user.role != Role.secretariat:
        raise ForbiddenError("Only the secretariat republishes a project")
    project = _load(session, project_id, user)
    if project.status != ProjectStatus.archived:
        raise ConflictError(
            f"A {project.status} project cannot be republished; only a withdrawn one"
        )
    upsert_project(session, project, {"status": ProjectStatus.published.value})
    _log(session, project, user, "republished", ProjectStatus.archived, ProjectStatus.published)
    session.flush()
    return detail(session, project.id, user)


def _awaits_review(session: Session, project: Project) -> bool:
    return (
        session.scalar(
            select(ProjectRevision.id).where(
                ProjectRevision.project_id == project.id,
                ProjectRevision.status == RevisionStatus.submitted,
            )
        )
        is not None
    )


def review_queue(session: Session) -> list[schemas.ReviewItem]:
    """Submissions and submitted revisions, oldest first."""
    waiting = session.scalars(
        select(Project)
        .where(Project.status == ProjectStatus.submitted)
        .options(*LOAD)
        .order_by(Project.updated_at)
    ).all()
    revised = session.execute(
        select(Project, ProjectRevision)
        .join(ProjectRevision, ProjectRevision.project_id == Project.id)
        .where(ProjectRevision.status == RevisionStatus.submitted)
        .options(*LOAD)
        .order_by(ProjectRevision.created_at)
    ).all()
    items = []
    for p in waiting:
        public = to_public(p)
        items.append(
            schemas.ReviewItem(kind="submission", project=public, completeness=completeness(public))
        )
    for p, r in revised:
        public = to_public(p)
        items.append(
            schemas.ReviewItem(
                kind="revision",
                project=public,
                completeness=completeness(public),
                changes=r.changes,
            )
        )
    return items


_SCENARIO_WORDS = ("应用", "场景", "用于", "适用", "application", "used in", "used for", "scenario")


def _mentions_scenarios(project: schemas.ProjectPublic) -> bool:
    text = f"{project.summary_zh or ''} {(project.summary_en or '').lower()}"
    return any(word in text for word in _SCENARIO_WORDS)


# (item, what it asks for in Chinese and English, test)
CHECKLIST: list[tuple[str, str, str, Callable[[schemas.ProjectPublic], bool]]] = [
    ("title_zh", "中文标题", "A Chinese title", lambda p: bool(p.title_zh)),
    ("title_en", "英文标题", "An English title", lambda p: bool(p.title_en)),
    ("summary_zh", "中文摘要（至少 80 字）", "A Chinese summary (80+ characters)",
     lambda p: len(p.summary_zh or "") >= 80),
    ("summary_en", "英文摘要（至少 40 词）", "An English summary (40+ words)",
     lambda p: len((p.summary_en or "").split()) >= 40),
    ("scenarios", "摘要写明应用场景", "The summary says where it is applied",
     lambda p: _mentions_scenarios(p)),
    ("keywords", "至少 3 个关键词", "At least 3 keywords", lambda p: len(p.keywords) >= 3),
    ("industries", "产业分类代码", "An industry code", lambda p: bool(p.industries)),
    ("trl", "技术就绪水平（TRL）", "A readiness level (TRL)", lambda p: p.trl is not None),
    ("transfer_modes", "转化方式", "The transfer modes offered", lambda p: bool(p.transfer_modes)),
    ("price", "报价（或注明面议）", "An asking price (or modes to negotiate)",
     lambda p: p.price_wan is not None or len(p.transfer_modes) > 1),
    ("patents", "相关专利", "The patents behind it", lambda p: bool(p.patents)),
    ("city", "所在城市", "Its home city or zone", lambda p: bool(p.city)),
    ("target_cities", "意向落地城市", "Where it wants to land", lambda p: bool(p.target_cities)),
]  # fmt: skip


def completeness(project: schemas.ProjectPublic) -> schemas.Completeness:
    """Shown to the researcher before submitting and to the reviewer."""
    items = [
        schemas.ChecklistItem(item=item, done=test(project), message_zh=zh, message_en=en)
        for item, zh, en, test in CHECKLIST
    ]
    score = round(100 * sum(i.done for i in items) / len(items))
    return schemas.Completeness(score=score, checklist=items)


def detail(session: Session, project_id: int, user: User | None) -> schemas.ProjectDetail:
    """A project as this user may see it: insiders also get the audit log and open revision."""
    project = _load(session, project_id, user)
    public = to_public(project)
    disclosed: dict[str, Any] = {}
    if user is not None:  # staged disclosure: the full listing needs an account
        disclosed = {
            "disclosure": "full",
            "description_zh": project.description_zh,
            "description_en": project.description_en,
            "contact": schemas.Contact(
                name=project.contact_name, email=project.contact_email, phone=project.contact_phone
            ),
        }
    if not is_insider(project, user):
        return schemas.ProjectDetail(**public.model_dump(), **disclosed)
    events = session.scalars(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)
    ).all()
    revision = _open_revision(session, project, include_submitted=True)
    return schemas.ProjectDetail(
        **public.model_dump(),
        **disclosed,
        owner_id=project.owner_id,
        completeness=completeness(public),
        events=[
            schemas.ProjectEventPublic(
                at=e.at,
                actor_id=e.actor_id,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
            )
            for e in events
        ],
        revision=schemas.RevisionPublic(status=revision.status, changes=revision.changes)
        if revision is not None
        else None,
    )


def _open_revision(
    session: Session, project: Project, *, include_submitted: bool = False
) -> ProjectRevision | None:
    states = [*OPEN_REVISION, *([RevisionStatus.submitted] if include_submitted else [])]
    return session.scalar(
        select(ProjectRevision)
        .where(ProjectRevision.project_id == project.id, ProjectRevision.status.in_(states))
        .order_by(ProjectRevision.id.desc())
        .limit(1)
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """Revision changes are stored as JSON (money as a number)."""
    out = dict(values)
    if out.get("price_wan") is not None:
        out["price_wan"] = float(out["price_wan"])
    return out


def my_projects(session: Session, user: User) -> list[schemas.ProjectPublic]:
    """Every project the user owns, in any state, newest first."""
    rows = session.scalars(
        select(Project)
        .where(Project.owner_id == user.id)
        .options(*LOAD)
        .order_by(Project.id.desc())
    )
    return [to_public(p) for p in rows]
