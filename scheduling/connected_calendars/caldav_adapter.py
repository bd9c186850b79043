"""CalDAV (RFC 4791), the protocol of iCloud, Fastmail, Nextcloud, Google and most others.

Through the ``caldav`` library, against one calendar collection whose address the supervisor
gives. Its requests are guarded the way a busy-calendar fetch is (docs/security.md,
"Calendars"): the address passes the same checks (and must be https); the host is checked to
resolve only to public addresses once per sync, and every request of that sync (the reads, the
PUTs and DELETEs) connects to the address that was checked, never resolving the name again (a
DNS answer that changes meanwhile cannot point us inside our network); redirects are refused.

What is bounded here: each socket read waits at most ``BUSY_CALENDAR_TIMEOUT_SECONDS`` (the
library's timeout is per read, so a server trickling bytes is cut off not here but by the sync
task's time limit, scheduling/tasks.py); each answer's body is at most
``BUSY_CALENDAR_MAX_BYTES``; one read of busy times takes at most ``MAX_EVENTS`` events and
expands at most ``MAX_OCCURRENCES_PER_SYNC`` occurrences in all (so at most that many busy
times are stored).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import icalendar
import niquests
from caldav.davclient import DAVClient
from caldav.lib import error as dav_error
from django.conf import settings

from reflect.addresses import parse_address
from scheduling.busy_ical import CalendarDataError, OccurrenceBudget, TooManyOccurrences, busy_intervals_from_ical
from scheduling.calendar_fetch import READ_SIZE, FetchError, check_connection_address, check_public_host, megabytes
from scheduling.connected_calendars.interface import CalendarUnavailable, Credentials, EventState, RemoteBusy

# More events than this in the booking period is not a calendar we can read in one sync.
MAX_EVENTS = 2000
# Occurrences expanded in one read, across all its events (each recurring one expands to many).
MAX_OCCURRENCES_PER_SYNC = 5000
TOO_MANY_EVENTS = "Your calendar has more than {:,} events in the booking period, so it was not read."
ETAG = "{DAV:}getetag"


@contextmanager
def _talking() -> Iterator[None]:
    """Every failure of the server or the network becomes ``CalendarUnavailable``, in words."""
    try:
        yield
    except FetchError as failure:
        raise CalendarUnavailable(failure.message) from failure
    except dav_error.AuthorizationError as failure:
        raise CalendarUnavailable(
            "Your calendar refused the user name or app password. Make a new app password and connect again."
        ) from failure
    except dav_error.NotFoundError as failure:
        raise CalendarUnavailable(
            "The calendar address was not found. Copy your calendar’s CalDAV address again."
        ) from failure
    except niquests.exceptions.TooManyRedirects as failure:
        raise CalendarUnavailable(
            "The calendar address redirects somewhere else. Give the address it leads to."
        ) from failure
    except niquests.exceptions.Timeout as failure:
        raise CalendarUnavailable(
            f"Your calendar’s server did not answer within {settings.BUSY_CALENDAR_TIMEOUT_SECONDS:g} seconds."
        ) from failure
    except (niquests.exceptions.RequestException, OSError) as failure:
        raise CalendarUnavailable("Your calendar’s server could not be reached.") from failure
    except dav_error.DAVError as failure:
        raise CalendarUnavailable("Your calendar’s server answered with an error.") from failure
    except CalendarDataError as failure:
        raise CalendarUnavailable(str(failure)) from failure


def _read_capped(response: niquests.PreparedRequest | niquests.Response, **kwargs: Any) -> None:
    """A response hook: read the body here, in pieces, and refuse it past
    ``BUSY_CALENDAR_MAX_BYTES`` (the library would read it whole, however large)."""
    if not isinstance(response, niquests.Response):
        return
    limit = int(settings.BUSY_CALENDAR_MAX_BYTES)
    too_large = FetchError(
        f"Your calendar’s server sent more than {megabytes(limit)} in one answer, so it was not read."
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise too_large
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(READ_SIZE):
        size += len(chunk)
        if size > limit:
            response.close()
            raise too_large
        chunks.append(chunk)
    response._content = b"".join(chunks)  # what ``response.content`` gives the library
    response._content_consumed = True


def _uid_of(component: icalendar.Calendar) -> str:
    for event in component.walk("VEVENT"):
        return str(event.get("UID", ""))
    return ""


def _start_of(data: str) -> datetime.datetime | None:
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        start = event.get("DTSTART")
        if start is not None and isinstance(start.dt, datetime.datetime) and start.dt.tzinfo is not None:
            return start.dt.astimezone(datetime.UTC)
        return None
    return None


class CalDAVCalendar:
    def __init__(self, credentials: Credentials) -> None:
        with _talking():
            self._url = check_connection_address(credentials.url)
        self._client = DAVClient(
            url=self._url,
            username=credentials.username,
            password=credentials.password,
            # A float (0.5 s stays 0.5 s): niquests takes one, whatever caldav's annotation says.
            timeout=float(settings.BUSY_CALENDAR_TIMEOUT_SECONDS),  # type: ignore[arg-type]
            enable_rfc6764=False,  # no DNS discovery: we talk to the address given, nothing else
            rate_limit_handle=False,  # never sleep in a worker on the server's say-so; we retry later
        )
        self._guard(self._client.session)
        self._calendar = self._client.calendar(url=self._url)
        self._checked = False

    @staticmethod
    def _guard(session: niquests.Session) -> None:
        """No redirects (one could lead into our network), and every answer's size capped."""
        session.max_redirects = 0
        session.hooks["response"].append(_read_capped)

    def _check_host(self) -> None:
        if self._checked:
            return
        address = check_public_host(self._url)
        host = urlsplit(self._url).hostname or ""
        if parse_address(host) is None:  # a name, not an address: pin it to the one checked
            self._pin(host, address)
        self._checked = True

    def _pin(self, host: str, address: str) -> None:
        """A session that resolves ``host`` only to ``address``, and no other name at all."""
        session = niquests.Session(resolver=f"in-memory://default/?hosts={host}:{address}")
        self._guard(session)
        self._client.session.close()
        self._client.session = session

    def read_busy(self, start: datetime.datetime, end: datetime.datetime, *, time_zone: str) -> list[RemoteBusy]:
        busy: list[RemoteBusy] = []
        # One budget for every event: a calendar of many recurring events is bounded as a whole.
        budget = OccurrenceBudget(MAX_OCCURRENCES_PER_SYNC)
        with _talking():
            self._check_host()
            found = self._calendar.search(start=start, end=end, event=True, expand=False)
            if len(found) > MAX_EVENTS:
                raise CalendarUnavailable(TOO_MANY_EVENTS.format(MAX_EVENTS))
            try:
                for item in found:
                    data = item.data or ""
                    uid = _uid_of(icalendar.Calendar.from_ical(data))
                    for interval in busy_intervals_from_ical(
                        data.encode(), window_start=start, window_end=end, time_zone=time_zone, budget=budget
                    ):
                        busy.append(RemoteBusy(interval.start, interval.end, uid))
            except TooManyOccurrences as failure:
                raise CalendarUnavailable(TOO_MANY_EVENTS.format(MAX_OCCURRENCES_PER_SYNC)) from failure
        return busy

    def upsert_event(self, uid: str, ical_text: str) -> str:
        with _talking():
            self._check_host()
            # Our SEQUENCE is the booking's, as in the e-mails: the library must not bump it.
            event = self._calendar.add_event(ical=ical_text, increase_seqno=False)
            etag = (getattr(event, "props", None) or {}).get(ETAG, "")
            if etag:
                return str(etag)
        # Some servers change what was sent and give no ETag: ask for the version they keep.
        state = self.event_state(uid)
        return state.etag if state else ""

    def delete_event(self, uid: str) -> None:
        with _talking():
            self._check_host()
            try:
                event = self._calendar.event_by_uid(uid)
            except dav_error.NotFoundError:
                return
            event.delete()

    def event_state(self, uid: str) -> EventState | None:
        with _talking():
            self._check_host()
            try:
                event = self._calendar.event_by_uid(uid)
            except dav_error.NotFoundError:
                return None
            etag = str((getattr(event, "props", None) or {}).get(ETAG, ""))
            return EventState(etag=etag, starts_at=_start_of(event.data or ""))
