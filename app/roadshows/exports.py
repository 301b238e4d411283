"""A roadshow's agenda as iCalendar (one event per slot) and its attendee list as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from urllib.parse import quote, urlsplit

from icalendar import Calendar, Event, vText
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.catalog.models import Project
from app.db import utcnow
from app.geo.models import City
from app.roadshows.attendance import list_registrations
from app.roadshows.lineup import slots_of, visible_slots
from app.roadshows.models import RegistrationStatus, Roadshow
from app.roadshows.service import local, roadshow_for

PRODID = "-//Ketao 科淘网//Roadshow agenda//ZH"
# Unicode categories dropped from a download's name: controls, format, surrogates, private,
# unassigned, and line and paragraph separators.
_NOT_IN_A_NAME = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# What an iCalendar TEXT value cannot carry (RFC 5545 §3.3.11: no control but HTAB; a line break
# is written escaped). Text stored before input was checked may still hold them.
_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_NOT_IN_ICAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ATTENDEE_COLUMNS = [
    "registration_id",
    "status",
    "waitlist_position",
    "full_name",
    "email",
    "organization",
    "registered_at",
    "confirmed_at",
    "checked_in_at",
    "cancelled_at",
    "note",
]


def attachment(filename: str) -> str:
    """A Content-Disposition value for a download (RFC 6266): the name percent-encoded as UTF-8
    in ``filename*`` (RFC 5987), and an ASCII ``filename`` for clients that know no better.
    Control and line-separator characters are dropped: they must never reach a header."""
    name = "".join(c for c in filename if unicodedata.category(c) not in _NOT_IN_A_NAME)
    fallback = re.sub(r"[^A-Za-z0-9 !#$&+,.;=@^_`|~()\[\]{}'-]", "_", name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _text(value: str) -> vText:
    """Text for an iCalendar property: line breaks made LF (which the library writes as ``\\n``,
    escaping ``;``, ``,`` and ``\\`` too), other control characters dropped."""
    return vText(_NOT_IN_ICAL.sub("", _BREAK.sub("\n", value)))


def _title(roadshow: Roadshow) -> str:
    both = [t for t in (roadshow.title_zh, roadshow.title_en) if t]
    return " / ".join(both)


def agenda(session: Session, user: User | None, roadshow_id: int, public_url: str) -> bytes:
    """The lineup as an iCalendar file: one VEVENT per slot, times in Asia/Shanghai (with its
    VTIMEZONE). UIDs are stable and SEQUENCE follows the roadshow's version, so a re-import
    updates events instead of duplicating them. Before there is a lineup, one VEVENT stands
    for the whole roadshow (a calendar must hold at least one component).

    Links and UIDs are built from ``public_url`` (the configured address, never the request's
    Host header), so a UID names its slot whoever downloads the file."""
    roadshow = roadshow_for(session, roadshow_id, user)
    city = session.get(City, roadshow.city_code)
    where = ", ".join(p for p in (roadshow.venue, city.name_zh if city else None) if p)
    slots = visible_slots(session, slots_of(session, roadshow.id), user)
    projects = {
        p.id: p
        for p in session.scalars(
            select(Project).where(Project.id.in_([s.project_id for s in slots]))
        )
    }
    host = urlsplit(public_url).hostname or "ketao"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # An X- property is untyped to the library, which would write it raw: say it is text.
    calendar.add("x-wr-calname", _text(_title(roadshow)))
    calendar.add("x-wr-timezone", "Asia/Shanghai")

    def event(uid: str, starts: dt.datetime, ends: dt.datetime, summary: str, text: str) -> None:
        entry = Event()
        entry.add("uid", f"{uid}@{host}")
        entry.add("dtstamp", utcnow())
        entry.add("last-modified", roadshow.updated_at.astimezone(dt.UTC))
        entry.add("sequence", roadshow.version)
        entry.add("dtstart", local(starts))
        entry.add("dtend", local(ends))
        entry.add("summary", _text(summary))
        if where:
            entry.add("location", _text(where))
        entry.add("description", _text(text))
        entry.add("status", "TENTATIVE" if roadshow.status == "draft" else "CONFIRMED")
        calendar.add_component(entry)

    for slot in slots:
        project = projects[slot.project_id]
        title = project.title_zh or project.title_en or project.external_id
        link = f"{public_url}/api/v1/projects/{project.id}"
        lines = (
            project.title_en if project.title_zh and project.title_en else None,
            _title(roadshow),
            project.summary_zh or project.summary_en,
            link,
        )
        event(
            f"roadshow-{roadshow.id}-slot-{slot.id}",
            slot.starts_at,
            slot.ends_at,
            f"{title} — {slot.presenter}" if slot.presenter else title,
            "\n".join(line for line in lines if line),
        )
    if not slots:
        event(
            f"roadshow-{roadshow.id}",
            roadshow.starts_at,
            roadshow.ends_at,
            _title(roadshow),
            roadshow.description_zh or roadshow.description_en or "",
        )
    calendar.add_missing_timezones()
    data: bytes = calendar.to_ical()
    return data


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def attendees(
    session: Session, user: User, roadshow_id: int, status: RegistrationStatus | None
) -> str:
    """Every registration (or those of one status) as CSV, with a BOM so Excel reads the
    Chinese names as UTF-8."""
    registrations = list_registrations(session, user, roadshow_id, status).items
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ATTENDEE_COLUMNS)
    for r in registrations:
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r.id,
                    r.status.value,
                    r.waitlist_position,
                    r.full_name,
                    r.email,
                    r.organization.name if r.organization else "",
                    r.created_at.isoformat(),
                    r.confirmed_at.isoformat() if r.confirmed_at else "",
                    r.checked_in_at.isoformat() if r.checked_in_at else "",
                    r.cancelled_at.isoformat() if r.cancelled_at else "",
                    r.note,
                )
            ]
        )
    return "\ufeff" + out.getvalue()
