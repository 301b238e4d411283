"""The secretariat's workspace under ``/admin``: every page is a ``SecretariatPage`` and extends
``admin/layout.html``. This package only gathers the routers of its modules."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.admin import library, review, transfer

router = APIRouter(include_in_schema=False)
router.include_router(review.router)
router.include_router(library.router)
router.include_router(transfer.router)
