"""A person's private calendar feed: every session they are in, as one iCalendar file.

The address holds a secret token (regenerating it revokes the old one). Only the token's hash
is stored, so the address is shown once, when it is made (docs/security.md, "Calendars"). The
feed lists the person's supervision sessions (as attendee or supervisor), their
reflective-group places and the group sessions they facilitate — from 90 days back, and
everything to come. A cancelled session stays for 30 days as STATUS:CANCELLED so subscribed
calendars remove it; subscribed calendars refresh only every few hours, so changes are e-mailed
as well (docs/architecture.md). Other attendees are never named.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reflect.models import ContactPreferences, Membership, PoolOrganisation, User
from reflect.models.people import DEFAULT_REMINDER_HOURS
from reflect.services.audit import record_audit
from scheduling.groups.calendar import group_session_event, own_cancellations
from scheduling.ical import CalendarEvent, calendar_text
from scheduling.models import (
    BookingAttendee,
    BookingStatus,
    CalendarFeed,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    SupervisionBooking,
    runs_group,
)
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from scheduling.services.booking_notices import BookingFacts, booking_event
from scheduling.services.bookings import bookings_of
from supervision.models import SupervisorProfile

PAST_DAYS = 90
CANCELLED_KEPT_DAYS = 30


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits: a plain SHA-256 is enough to store it


def hash_token(token: str) -> str:
    """What the database keeps of a token (migration 0008 hashes the older ones the same way)."""
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    """The person's feed, if they have made one. Its address cannot be shown again: only its
    hash is kept (docs/security.md, "Calendars")."""
    return CalendarFeed.objects.filter(user=user).first()


@dataclass(frozen=True)
class NewLink:
    """A feed just made, with its token: the one moment its address can be shown."""

    feed: CalendarFeed
    token: str


@transaction.atomic
def regenerate_feed(user: User) -> NewLink:
    """A new secret address; the old one stops working at once."""
    token = new_token()
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(user=user, token_hash=hash_token(token))
        except IntegrityError:  # made by another request a moment ago: replace that one
            feed = CalendarFeed.objects.select_for_update().get(user=user)
        else:
            return NewLink(feed=feed, token=token)
    feed.token_hash = hash_token(token)
    feed.save(update_fields=["token_hash"])
    record_audit("calendar_feed.regenerated", actor=user, target=feed)
    return NewLink(feed=feed, token=token)


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed whose token this is. Looked up by the token's hash (an indexed equality on a
    value that says nothing about the token), then compared in constant time."""
    if not token or len(token) > 64:
        return None
    digest = hash_token(token)
    # The person's preferences come with them: their reminders are the feed's alarms.
    feed = CalendarFeed.objects.select_related("user", "user__contact_preferences").filter(token_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    return feed


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL}/calendar/feed/{token}.ics"


@dataclass(frozen=True)
class Feed:
    body: str
    etag: str
    last_modified: datetime.datetime | None


def _window(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Since when sessions, and cancelled ones, are in a feed: counted from the start of the
    day (UTC), so the feed's text changes with the data and the date alone — its version
    (feed_version) can then say whether it changed without building it."""
    today = now.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - datetime.timedelta(days=PAST_DAYS), today - datetime.timedelta(days=CANCELLED_KEPT_DAYS)


def alarm_hours_of(user: User) -> tuple[int, ...]:
    """The person's reminder preferences as calendar alarms: none if they chose none; the
    defaults (as their messages use) if they never chose."""
    try:
        preferences: ContactPreferences | None = user.contact_preferences
    except ContactPreferences.DoesNotExist:
        preferences = None
    hours = DEFAULT_REMINDER_HOURS if preferences is None else preferences.reminder_hours
    return tuple(sorted({int(h) for h in hours if isinstance(h, int) and 0 < h <= 24 * 28}, reverse=True))


def _supervision_events(user: User, now: datetime.datetime, alarm_hours: tuple[int, ...]) -> list[CalendarEvent]:
    since, kept_since = _window(now)
    bookings = (
        SupervisionBooking.objects.filter(bookings_of(user))
        .filter(
            Q(status__in=LIVE_BOOKING_STATUSES, ends_at__gte=since)
            | Q(status__in=[BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLED], cancelled_at__gte=kept_since)
        )
        .order_by("starts_at")
        .values(*BookingFacts.FIELDS)
    )
    return [booking_event(BookingFacts.from_values(row), user, alarm_hours=alarm_hours) for row in bookings]


def cancelled_places_of(user: User) -> Coalesce:
    """How many of this person's places in the row's session they have cancelled (an annotation)."""
    cancelled = (
        Place.objects.filter(own_cancellations(user), session=OuterRef("session"))
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(cancelled), Value(0))


def _group_events(user: User, now: datetime.datetime, alarm_hours: tuple[int, ...]) -> list[CalendarEvent]:
    since, kept_since = _window(now)
    events: dict[str, CalendarEvent] = {}
    places = (
        Place.objects.filter(user=user, session__ends_at__gte=since)
        .filter(~Q(status=PlaceStatus.CANCELLED) | Q(cancelled_at__gte=kept_since))
        .select_related("session__group__facilitator__user")
        .annotate(cancelled_places=cancelled_places_of(user))
        .order_by("session__starts_at", "booked_at")
    )
    for place in places:
        session = place.session
        cancelled = place.status == PlaceStatus.CANCELLED or session.status == SessionStatus.CANCELLED
        stamp = max(filter(None, [place.booked_at, place.cancelled_at, session.updated_at]))
        # Each of the person's own cancellations is a change to their copy of the event, so it
        # counts in its SEQUENCE: booking again after cancelling must not go back down.
        sequence = session.sequence + place.cancelled_places
        uid = session.ics_uid
        # A person who cancelled and booked again has two rows: the live place wins.
        if uid in events and not events[uid].cancelled:
            continue
        # A cancelled place keeps its entry (as cancelled) but no longer the place or the link:
        # someone taken off a session must not be sent a link set for it afterwards.
        events[uid] = group_session_event(
            session,
            cancelled=cancelled,
            stamp=stamp,
            sequence=sequence,
            alarm_hours=alarm_hours,
            with_place=not cancelled,
        )
    # The sessions they run: as facilitator, or as a community of practice's host.
    facilitated = GroupSession.objects.filter(runs_group(user, via="group__"), ends_at__gte=since).select_related(
        "group__facilitator__user", "group__host"
    )
    for session in facilitated.order_by("starts_at"):
        cancelled = session.status == SessionStatus.CANCELLED
        if cancelled and session.updated_at < kept_since:
            continue
        events[session.ics_uid] = group_session_event(
            session, cancelled=cancelled, stamp=session.updated_at, alarm_hours=alarm_hours
        )
    return list(events.values())


def _feed_text(events: list[CalendarEvent], name: str) -> str:
    return calendar_text(sorted(events, key=lambda event: (event.starts_at, event.uid)), name=name)


@dataclass(frozen=True)
class Version:
    """What a feed's text depends on, read in one statement: the date (the feed's window moves
    daily), and for each set of rows it is built from, how many, the newest, the latest stamp
    and the total of their SEQUENCEs. A row removed moves the count, a row added the newest, and
    every change a calendar shows moves SEQUENCE and the stamp (docs/calendars.md). The sessions
    a person runs are counted by ``runs_group``'s rule, so a host who becomes a lead or leaves
    (and so no longer runs the group) moves the count."""

    etag: str
    last_modified: datetime.datetime


def _tables() -> dict[str, str]:
    models = {
        "booking": SupervisionBooking,
        "attendee": BookingAttendee,
        "supervisor": SupervisorProfile,
        "place": Place,
        "session": GroupSession,
        "group": ReflectiveGroup,
        "preferences": ContactPreferences,
        "feed": CalendarFeed,
        "membership": Membership,
        "pool_organisation": PoolOrganisation,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


# runs_group's rule for a host, over the group g: on the staff of one of its pool's organisations
# (and, with "AND m.is_lead", leading one); "m.left_at IS NULL" is current_membership's rule
# (reflect/models/organisations.py), written out in SQL here. A host who becomes a lead or leaves then drops the
# group's sessions from the count, so the version moves the moment the feed changes.
HOST_STAFF = """SELECT 1 FROM {membership} m JOIN {pool_organisation} po ON po.organisation_id = m.organisation_id
 WHERE m.user_id = {user} AND m.left_at IS NULL AND po.pool_id = g.pool_id"""

# Written out rather than through the ORM: compiling the same statement as twenty annotated
# subqueries cost 30 ms of Python a request, against 2 ms for the statement itself
# (docs/performance.md). Portable SQL (PostgreSQL and SQLite); one row of single-row aggregates.
PERSON_VERSION = """
SELECT b.*, p.*, f.*, c.* FROM
 (SELECT COUNT(*) AS n, MAX(id) AS newest, MAX(updated_at) AS changed, SUM(sequence) AS sequences
    FROM {booking}
   WHERE id IN (SELECT booking_id FROM {attendee} WHERE user_id = {user})
      OR supervisor_id IN (SELECT id FROM {supervisor} WHERE user_id = {user})) b,
 (SELECT COUNT(*) AS n, MAX(p.id) AS newest, MAX(p.booked_at) AS booked, COUNT(p.cancelled_at) AS cancelled,
         MAX(p.cancelled_at) AS last_cancelled, MAX(s.updated_at) AS changed, SUM(s.sequence) AS sequences
    FROM {place} p JOIN {session} s ON s.id = p.session_id
   WHERE p.user_id = {user}) p,
 (SELECT COUNT(*) AS n, MAX(s.id) AS newest, MAX(s.updated_at) AS changed, SUM(s.sequence) AS sequences
    FROM {session} s JOIN {group} g ON g.id = s.group_id LEFT JOIN {supervisor} sp ON sp.id = g.facilitator_id
   WHERE sp.user_id = {user}
      OR (g.host_id = {user} AND EXISTS ({host_staff}) AND NOT EXISTS ({host_staff} AND m.is_lead))) f,
 (SELECT MAX(updated_at) AS changed, MAX(CAST(reminder_hours AS TEXT)) AS hours
    FROM {preferences} WHERE user_id = {user}) c
""".replace("{host_staff}", HOST_STAFF)

# The person's feed found by its token and its version, in one statement: the 304 a calendar
# gets every few minutes, and a repeat fetch served from the cache, then read neither the person
# nor their preferences (building those into the ORM's query cost more than the statement).
# No feed with that hash: no row.
PERSON_VERSION_BY_TOKEN = """
WITH feed AS (SELECT user_id, token_hash FROM {feed} WHERE token_hash = %(token_hash)s)
SELECT feed.user_id, feed.token_hash, version.* FROM feed CROSS JOIN ({person_version}) version
""".replace("{person_version}", PERSON_VERSION)

GROUP_VERSION = """
SELECT COUNT(*), MAX(id), MAX(updated_at), SUM(sequence) FROM {session} WHERE group_id = %(group)s
"""


def _moment(value: object) -> datetime.datetime | None:
    """A stamp as the database gave it: a datetime (PostgreSQL) or its text (SQLite, in UTC)."""
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime.datetime):
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=datetime.UTC)


def _version(kind: str, now: datetime.datetime, sql: str, params: dict[str, int]) -> Version:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(user="%(user)s", **_tables()), params)
        row = cursor.fetchone() or ()
    return _version_of(kind, now, row)


def _version_of(kind: str, now: datetime.datetime, row: tuple[object, ...]) -> Version:
    today = _window(now)[0] + datetime.timedelta(days=PAST_DAYS)
    digest = hashlib.sha256(repr((kind, today.date(), *(str(value) for value in row))).encode()).hexdigest()[:32]
    stamps = [moment for value in row if (moment := _moment(value)) is not None]
    return Version(etag=f'"{digest}"', last_modified=max([today, *stamps]))


def feed_version(user: User, *, now: datetime.datetime | None = None) -> Version:
    """The person's feed's version, before anything is built (a 304 costs this one query)."""
    return _version(f"person-{user.pk}", now or timezone.now(), PERSON_VERSION, {"user": user.pk})


def person_feed_version(token: str, *, now: datetime.datetime | None = None) -> tuple[int, Version] | None:
    """The id of the person whose feed this token opens, and the feed's version (the same as
    feed_version's), in one statement; None for an unknown or revoked token, as feed_by_token."""
    if not token or len(token) > 64:
        return None
    digest = hash_token(token)
    with connection.cursor() as cursor:
        cursor.execute(
            PERSON_VERSION_BY_TOKEN.format(user="(SELECT user_id FROM feed)", **_tables()), {"token_hash": digest}
        )
        row = cursor.fetchone()
    if row is None or not hmac.compare_digest(row[1], digest):
        return None
    user_id = row[0]
    return user_id, _version_of(f"person-{user_id}", now or timezone.now(), tuple(row[2:]))


def _cached(key: str, build: Callable[[], str]) -> str:
    """The built text by its version: the same version is always the same text."""
    body: str | None = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, timeout=24 * 3600)
    return body


def feed_body(user_id: int, version: Version, *, now: datetime.datetime | None = None) -> str:
    """The text of this version of the person's feed: from the cache, or built (the person and
    their reminder preferences are read only then)."""
    now = now or timezone.now()

    def build() -> str:
        user = User.objects.select_related("contact_preferences").get(pk=user_id)
        return _person_text(user, now)

    return _cached(f"calendar-feed:{user_id}:{version.etag.strip(chr(34))}", build)


def _person_text(user: User, now: datetime.datetime) -> str:
    alarm_hours = alarm_hours_of(user)
    events = [*_supervision_events(user, now, alarm_hours), *_group_events(user, now, alarm_hours)]
    return _feed_text(events, "Reflect sessions")


def build_feed(user: User, *, now: datetime.datetime | None = None) -> Feed:
    """The feed, built afresh (the view answers from feed_version and the cache first)."""
    now = now or timezone.now()
    version = feed_version(user, now=now)
    return Feed(body=_person_text(user, now), etag=version.etag, last_modified=version.last_modified)


def build_group_schedule(group: ReflectiveGroup, *, now: datetime.datetime | None = None) -> Feed:
    """A group's published dates for the pool's staff: when it meets, with its page to book
    from. No place, no link, no names: those are for the people with a place."""
    now = now or timezone.now()
    version = group_schedule_version(group, now=now)
    return Feed(body=_group_text(group, now), etag=version.etag, last_modified=version.last_modified)


def _group_text(group: ReflectiveGroup, now: datetime.datetime) -> str:
    since, kept_since = _window(now)
    sessions = (
        GroupSession.objects.filter(group=group, ends_at__gte=since)
        .filter(Q(status=SessionStatus.SCHEDULED) | Q(updated_at__gte=kept_since))
        .order_by("starts_at")
    )
    events = []
    for session in sessions:
        session.group = group
        event = group_session_event(session, stamp=session.updated_at, with_place=False)
        # Its own UID: the same session in the person's own calendar (with the place, at their
        # own SEQUENCE) is another entry, and invitations e-mailed to them must not match this one.
        events.append(dataclasses.replace(event, uid=f"schedule-{event.uid}"))
    return _feed_text(events, group.title)


def group_schedule_version(group: ReflectiveGroup, *, now: datetime.datetime | None = None) -> Version:
    # The title is in the text too: a change to it renews every coming session's stamp.
    return _version(f"group-{group.pk}", now or timezone.now(), GROUP_VERSION, {"group": group.pk})


def group_schedule_body(group: ReflectiveGroup, version: Version, *, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    return _cached(f"calendar-group:{group.pk}:{version.etag.strip(chr(34))}", lambda: _group_text(group, now))


def group_schedule_url(token: str, group: ReflectiveGroup) -> str:
    return f"{settings.SITE_URL}/calendar/feed/{token}/groups/{group.pk}.ics"
