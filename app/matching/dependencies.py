"""The FastAPI dependency that hands a route the app's ``Matcher``."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from app.matching.matcher import Matcher

_build_lock = threading.Lock()


def get_matcher(request: Request) -> Matcher:
    """``app.state.matcher``, set by ``create_app``; an app without one gets a matcher built
    once from its ``app.state.settings`` and kept there."""
    state = request.app.state
    matcher: Matcher | None = getattr(state, "matcher", None)
    if matcher is None:
        with _build_lock:
            matcher = getattr(state, "matcher", None)
            if matcher is None:
                matcher = Matcher(state.settings)
                state.matcher = matcher
    return matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
