"""iCalendar (RFC 5545) for sessions: pure functions from plain data to text.

Every session has a stable UID and a SEQUENCE that goes up with each change, so a calendar
updates the event it already has rather than adding a second one (docs/architecture.md "Time").
E-mailed invitations say METHOD:REQUEST (or METHOD:CANCEL when a session is cancelled), come
from an organizer a person can reply to, and name only their own recipient as attendee; feeds have no METHOD and keep a cancelled event as
STATUS:CANCELLED. Times are written in Europe/London with its VTIMEZONE, so a 10:00 session
reads 10:00 in any client.

Why not write through the icalendar library: building and serialising a 500-event feed with it
takes about 80 ms and its generated VTIMEZONE lists every change since 1970; the feed target
is 50 ms (docs/performance.md). The format we write is small — a dozen properties — so it is written
here, and the tests parse every calendar back with icalendar to prove it is valid.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from reflect.local_time import LONDON
from reflect.text_limits import CALENDAR_DESCRIPTION, CALENDAR_LOCATION, CALENDAR_SUMMARY, shorten

PRODID = "-//Reflect//Supervision and reflective practice//EN"
# How often a subscribed feed asks to be fetched again: changes are e-mailed at once anyway, and
# a 304 costs two queries, so an hour keeps calendars current without much load.
FEED_REFRESH = "PT1H"

# Europe/London since 1996 (EU rules): clocks go forward at 01:00 UTC on the last Sunday of
# March and back at 01:00 UTC (02:00 BST) on the last Sunday of October.
LONDON_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: datetime.datetime  # aware
    ends_at: datetime.datetime  # aware
    summary: str
    stamp: datetime.datetime  # when this version of the event was made (DTSTAMP, LAST-MODIFIED)
    description: str = ""
    location: str = ""
    url: str = ""
    cancelled: bool = False
    # The session's video link (https), as RFC 7986 CONFERENCE: clients show a "Join" button.
    conference: str = ""
    # Hours before the start at which the person's calendar reminds them (their preferences).
    alarm_hours: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Party:
    """An invitation's organizer or attendee: a name (CN) and an address (docs/calendars.md, "E-mail")."""

    name: str
    email: str
    # The attendee's part: REQ-PARTICIPANT for someone coming, CHAIR for the person running it.
    role: str = "REQ-PARTICIPANT"


@functools.lru_cache(maxsize=64)
def mailbox(address: str, *, role: str = "REQ-PARTICIPANT") -> Party:
    """A party from an address as settings write it, "Name <address>" or a bare address. Kept for
    the few addresses settings name (every invitation without a facilitator's address parses the
    same one)."""
    name, email = parseaddr(address)
    return Party(name=name or email, email=email, role=role)


def _common_name(name: str) -> str:
    """CN as a quoted parameter value (§3.2): a double quote and control characters cannot
    appear in one, so they are dropped; everything else stays inside the quotes."""
    kept = "".join(character for character in name if character != '"' and character.isprintable())
    return f'"{shorten(kept, CALENDAR_SUMMARY)}"'


def escape_text(value: str) -> str:
    """TEXT values (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (§3.1), never inside a UTF-8 character."""
    if len(line) <= 75 and line.isascii():  # most lines: short, one octet a character
        return line
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    pieces = []
    start = 0
    limit = 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Step back off continuation bytes (10xxxxxx) so a character is never split.
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(encoded[start:end].decode())
        start = end
        limit = 74  # continuation lines start with a space
    return "\r\n ".join(pieces)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _start_or_end(name: str, moment: datetime.datetime) -> str:
    local = moment.astimezone(LONDON)
    if local.fold:
        # The second pass through the repeated hour of October: a London wall time would be
        # read as the first pass (RFC 5545 §3.3.5), an hour early. UTC says it exactly.
        return f"{name}:{_utc(moment)}"
    return f"{name};TZID=Europe/London:{local.strftime('%Y%m%dT%H%M%S')}"


def _event_lines(
    event: CalendarEvent, *, method: str | None, organizer: Party | None, attendee: Party | None
) -> list[str]:
    cancelled = event.cancelled or method == "CANCEL"
    stamp = _utc(event.stamp)
    summary = escape_text(shorten(event.summary, CALENDAR_SUMMARY))
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{stamp}",
        f"LAST-MODIFIED:{stamp}",
        _start_or_end("DTSTART", event.starts_at),
        _start_or_end("DTEND", event.ends_at),
        f"SUMMARY:{summary}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(shorten(event.description, CALENDAR_DESCRIPTION))}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(shorten(event.location, CALENDAR_LOCATION))}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.conference:
        lines.append(f"CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join the session:{event.conference}")
    if organizer:
        lines.append(f"ORGANIZER;CN={_common_name(organizer.name)}:mailto:{organizer.email}")
    if attendee:
        # Only the recipient is named: a group session's other attendees never appear. The
        # place is theirs already (PARTSTAT=ACCEPTED), and a reply would change nothing in
        # Reflect, so none is asked for (RSVP=FALSE): the session's page changes it.
        lines.append(
            f"ATTENDEE;CN={_common_name(attendee.name)};ROLE={attendee.role};PARTSTAT=ACCEPTED;RSVP=FALSE"
            f":mailto:{attendee.email}"
        )
    if not cancelled:
        for hours in event.alarm_hours:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-PT{hours}H", f"DESCRIPTION:{summary}", "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


def calendar_text(
    events: Iterable[CalendarEvent],
    *,
    method: str | None = None,
    name: str | None = None,
    organizer: Party | None = None,
    attendee: Party | None = None,
) -> str:
    """A VCALENDAR holding ``events``: CRLF line ends, folded, with the London VTIMEZONE.

    ``method`` is "REQUEST" or "CANCEL" for an e-mailed invitation (then ``organizer`` is who
    runs the session, a person one can reply to, and ``attendee`` the recipient) and None for
    a feed or a download.
    """
    if method not in (None, "REQUEST", "CANCEL"):
        raise ValueError(f"Unknown iTIP method {method!r}.")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    if method:
        lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
        lines.append("X-WR-TIMEZONE:Europe/London")
        if method is None:
            # A subscribed feed: ask clients to refresh hourly instead of their own default
            # (often a day); RFC 7986's property and Outlook's older one (docs/calendars.md).
            lines.append(f"REFRESH-INTERVAL;VALUE=DURATION:{FEED_REFRESH}")
            lines.append(f"X-PUBLISHED-TTL:{FEED_REFRESH}")
    lines.extend(LONDON_VTIMEZONE)
    for event in events:
        lines.extend(_event_lines(event, method=method, organizer=organizer, attendee=attendee))
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
