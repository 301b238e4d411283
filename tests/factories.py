"""Builders that make valid import records, stored projects or needs, and accounts in one line."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from app.auth.models import OrganizationKind, User
from app.auth.security import create_access_token
from app.auth.service import get_or_create_organization
from app.catalog import records as catalog
from app.catalog.models import Project
from app.config import Settings
from app.needs import records as needs
from app.needs.models import Need

_counter = itertools.count(1)


def project_record(**fields: Any) -> dict[str, Any]:
    n = next(_counter)
    record: dict[str, Any] = {
        "type": "project",
        "external_id": f"TEST-P-{n:05d}",
        "title_zh": f"测试用氮化镓功率器件项目{n}",
        "title_en": f"Test GaN power device project {n}",
        "summary_zh": "用于测试的项目摘要。",
        "summary_en": "A project summary for tests.",
        "keywords": ["氮化镓", "GaN"],
        "industries": ["1.2"],
        "trl": 6,
        "transfer_modes": ["license"],
        "institution": "测试大学",
        "city": "shenzhen",
        "target_cities": ["dongguan"],
        "price_wan": 300,
        "patents": [
            {"number": f"CN2024100{n:05d}.1", "title": "一种测试方法", "status": "pending"}
        ],
        "status": "published",
    }
    record.update(fields)
    return record


def need_record(**fields: Any) -> dict[str, Any]:
    n = next(_counter)
    record: dict[str, Any] = {
        "type": "need",
        "external_id": f"TEST-N-{n:05d}",
        "title_zh": f"测试需求{n}：储能电站热管理",
        "title_en": f"Test need {n}: thermal management for storage",
        "description_zh": "用于测试的需求描述。",
        "keywords": ["储能"],
        "industries": ["6.5"],
        "city": "jiangmen",
        "min_trl": 6,
        "transfer_modes": ["co_development"],
        "budget_wan": 200,
        "organization": "测试储能有限公司",
        "organization_kind": "enterprise",
        "visibility": "public",
        "status": "open",
    }
    record.update(fields)
    return record


def _values(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "type"}


def make_project(session: Session, **fields: Any) -> Project:
    record = project_record(**fields)
    _, project = catalog.upsert_project(session, None, _values(record))
    assert project is not None
    return project


def make_need(session: Session, **fields: Any) -> Need:
    record = need_record(**fields)
    _, need = needs.upsert_need(session, None, _values(record))
    return need


def make_account(
    session: Session, role: str = "enterprise", organization: str | None = None
) -> tuple[User, dict[str, str]]:
    """A signed-in account of its own organisation (or the one named) and its bearer header;
    the password hash is unusable, the token is minted with the test app's default key."""
    n = next(_counter)
    org = get_or_create_organization(
        session,
        organization or f"测试企业{n}有限公司",
        OrganizationKind.enterprise if role == "enterprise" else OrganizationKind.research,
    )
    user = User(
        email=f"account{n}@test.ketao.local",
        password_hash="!",
        full_name=f"测试用户{n}",
        role=role,
        organization_id=org.id,
    )
    session.add(user)
    session.flush()
    token = create_access_token(user.id, role, Settings().secret_key)
    return user, {"Authorization": f"Bearer {token}"}
