"""The FastAPI dependency that hands a route the app's ``Matcher`` (built in ``create_app``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.matching.matcher import Matcher


def get_matcher(request: Request) -> Matcher:
    matcher: Matcher = request.app.state.matcher
    return matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]
