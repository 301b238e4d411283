"""The demo content: enough real listings, every category and city, and idempotent loading."""

from __future__ import annotations

import itertools
from collections import Counter

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Project, ProjectIndustry
from app.config import REPO_ROOT
from app.demo import load_demo
from app.leads.models import Lead, LeadEvent
from app.leads.service import NEXT
from app.needs.models import Need
from app.roadshows.models import Registration, Roadshow
from app.search.models import OutboxEntry

GBA_CITIES = {
    "guangzhou", "shenzhen", "zhuhai", "foshan", "huizhou", "dongguan",
    "zhongshan", "jiangmen", "zhaoqing", "hongkong", "macao",
}  # fmt: skip


def test_enough_published_projects_and_public_open_needs(session: Session) -> None:
    published = session.scalar(
        select(func.count()).select_from(Project).where(Project.status == "published")
    )
    needs = session.scalar(
        select(func.count())
        .select_from(Need)
        .where(Need.visibility == "public", Need.status == "open")
    )
    assert published is not None
    assert published >= 220
    assert needs is not None
    assert needs >= 40


def test_every_category_has_five_projects_and_every_city_is_home_to_one(session: Session) -> None:
    per_top = Counter(
        code.split(".")[0]
        for code in session.scalars(
            select(ProjectIndustry.industry_code).where(ProjectIndustry.position == 0)
        )
    )
    assert {str(n) for n in range(1, 10)} <= set(per_top)
    assert min(per_top.values()) >= 5, per_top
    homes = set(session.scalars(select(Project.city_code)))
    assert homes >= GBA_CITIES


def test_listings_are_distinct_and_bilingual(session: Session) -> None:
    projects = session.scalars(select(Project).where(Project.status == "published")).all()
    for attr in ("title_zh", "title_en", "summary_zh", "summary_en"):
        values = [getattr(p, attr) for p in projects]
        assert all(values), f"a project lacks {attr}"
        assert len(set(values)) == len(values), f"repeated {attr}"
    assert all(p.trl is not None and p.institution for p in projects)


def test_the_forum_s_named_kinds_are_present(session: Session) -> None:
    def found(*terms: str) -> int:
        conditions = [Project.title_zh.contains(t) | Project.title_en.contains(t) for t in terms]
        return (
            session.scalar(select(func.count()).select_from(Project).where(or_(*conditions))) or 0
        )

    assert found("鹰眼", "鷹眼", "eagle-eye", "Eagle-eye", "eagle eye") >= 1
    assert found("ECMO", "体外膜肺") >= 1
    assert found("MRI", "磁共振") >= 1
    assert found("手术机器人", "手術機器人", "surgical robot", "Surgical robot") >= 1
    assert found("储能", "儲能", "energy storage", "Energy storage") >= 1
    assert found("西藏", "Tibet", "青稞", "牦牛") >= 1
    assert found("碳化硅", "氮化镓", "芯片", "SiC", "GaN") >= 1


def test_needs_include_traditional_only_and_english_only(session: Session) -> None:
    needs = session.scalars(select(Need)).all()
    english_only = [n for n in needs if n.title_zh is None]
    chinese_only = [n for n in needs if n.title_en is None]
    assert len(english_only) >= 3
    assert any(
        ch in (n.title_zh or "") for n in chinese_only for ch in "們這為與發體機術應車電開關"
    )


def test_demo_accounts_for_each_role(session: Session) -> None:
    roles = set(session.scalars(select(User.role)))
    assert roles == {"enterprise", "researcher", "secretariat"}
    hashes = session.scalars(select(User.password_hash)).all()
    assert all(h.startswith("$argon2") for h in hashes)


def test_seeding_again_changes_nothing(session: Session) -> None:
    def snapshot() -> tuple[object, ...]:
        return (
            session.execute(
                select(Project.external_id, Project.version, Project.updated_at).order_by(
                    Project.id
                )
            ).all(),
            session.execute(
                select(Need.external_id, Need.version, Need.updated_at).order_by(Need.id)
            ).all(),
            session.scalar(select(func.count()).select_from(OutboxEntry)),
            session.scalar(select(func.count()).select_from(User)),
            session.scalar(select(func.count()).select_from(Roadshow)),
            session.scalar(select(func.count()).select_from(Registration)),
            session.scalar(select(func.count()).select_from(Lead)),
        )

    before = snapshot()
    report = load_demo(session, REPO_ROOT / "seed")
    session.flush()
    assert report.content.created.total() == report.content.updated.total() == 0
    assert report.users_created == report.roadshows_created == 0
    assert snapshot() == before


def test_demo_journeys_have_drafts_in_review_and_leads_at_each_stage(session: Session) -> None:
    from app.leads.models import Lead

    statuses = set(session.scalars(select(Project.status).where(Project.owner_id.is_not(None))))
    assert statuses >= {"draft", "submitted", "changes_requested"}
    stages = set(session.scalars(select(Lead.stage)))
    assert stages == {"new", "contacted", "negotiating", "signed", "landed", "closed"}


def test_demo_leads_moved_by_the_pipeline_s_own_rules(session: Session) -> None:
    """The seed moves leads through the leads service: every audit trail is a walk along
    ``NEXT`` (or a note on the same stage) and ends at the lead's stage."""
    for lead in session.scalars(select(Lead)):
        trail = session.scalars(
            select(LeadEvent).where(LeadEvent.lead_id == lead.id).order_by(LeadEvent.id)
        ).all()
        assert (trail[0].from_stage, trail[0].to_stage) == (None, "new")
        for before, event in itertools.pairwise(trail):
            assert event.from_stage == before.to_stage
            assert event.to_stage == event.from_stage or event.to_stage in NEXT[event.from_stage]
        assert trail[-1].to_stage == lead.stage
