"""The notification outbox (docs/architecture.md, "Nothing lost").

A use case calls :func:`queue_notification` inside its own transaction: the row commits with
the change it tells about, or not at all. Nothing is sent from inside the request. After
commit, due rows' dispatch task is published, a batch of rows a task (briefly: a broker that
is down must not fail or slow the request); the periodic sweep publishes whatever was missed.
The dispatch task calls :func:`deliver_notifications`, which *claims* the rows before sending,
so that however many times a task runs, one message goes out for each (docs/notifications.md).
"""

from __future__ import annotations

import datetime
import enum
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Field, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis import RedisError

from reflect.broker import publish_task
from reflect.channels import PermanentDeliveryError, Renderer, TransientDeliveryError
from reflect.channels.email import MailBatch
from reflect.channels.govuk_notify import address_lines, notify_configured_for, send_letter, send_sms
from reflect.enums import Channel, NotificationStatus
from reflect.locks import Lock, lock_on
from reflect.models import ContactPreferences, Notification, User
from reflect.notification_kinds import kind_spec
from reflect.outcomes import updates_by_changed_fields
from reflect.services.preferences import preferences_for

logger = logging.getLogger(__name__)

QUIET_FROM = datetime.time(21, 0)
QUIET_UNTIL = datetime.time(8, 0)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 60 * 60
# The Celery task that delivers one row (reflect/tasks.py). The tasks module sits above this
# service and calls it, so the service publishes the task by its registered name instead of
# importing it.
DISPATCH_TASK = "reflect.dispatch_notification"
# The Celery task that delivers a batch of rows; what the service publishes.
DISPATCH_BATCH_TASK = "reflect.dispatch_notifications"


class DeliveryOutcome(enum.StrEnum):
    SENT = "sent"
    NOT_CLAIMED = "not claimed"  # gone, not due, or another worker has it (or sent it)
    DEFERRED = "deferred"  # a text message in quiet hours: it waits until morning
    RETRY = "retry"  # a transient failure: pending again, due after a backoff
    FAILED = "failed"
    GIVEN_BACK = "given back"  # the batch ran out of time before it: pending again, untried


# --- Queueing ------------------------------------------------------------------------------


def outbox_row(
    recipient: User | None,
    kind: str,
    *,
    key: str,
    due_at: datetime.datetime | None = None,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    about: str = "",
    ics: str = "",
    email: str = "",
) -> Notification:
    """One outbox row, not yet saved (queue_notification and queue_new_notifications save it)."""
    kind_spec(kind)  # an unknown kind is a programming error: fail now, not in the worker
    if recipient is None and not email:
        raise ValueError("A notification needs a recipient or an e-mail address.")
    now = timezone.now()
    due_at = due_at or now
    return Notification(
        recipient=recipient,
        recipient_email=email,
        kind=kind,
        idempotency_key=key,
        due_at=due_at,
        context=context or {},
        secret_context=secret_context or {},
        about=about,
        ics=ics,
        # Published after commit (below), so marked as dispatched now; the sweep takes the rest.
        dispatched_at=now if due_at <= now else None,
    )


def queue_new_notifications(rows: Sequence[Notification]) -> list[Notification]:
    """Write outbox rows built by ``outbox_row`` in ONE insert, in the caller's transaction.

    Only for keys that name something the caller has just inserted in this transaction (a
    booking just made): no other row can hold them yet, so there is no look-up per row and no
    savepoint (``key_is_new`` of queue_notification, for many rows). A clash on a key is then a
    programming error and fails the use case.
    """
    saved = Notification.objects.bulk_create(rows)
    publish_after_commit(saved)
    return saved


def publish_after_commit(saved: Sequence[Notification]) -> None:
    """Publish the dispatch of new rows that are due now once the caller's transaction commits
    (``queue_new_notifications``; or a caller that wrote the rows in a statement of its own,
    reflect/inserts.py, with their keys set)."""
    due_now = [row.pk for row in saved if row.dispatched_at is not None]
    if due_now:
        transaction.on_commit(lambda: publish_dispatch(due_now))


def queue_notification(
    recipient: User | None,
    kind: str,
    *,
    key: str,
    due_at: datetime.datetime | None = None,
    context: dict[str, Any] | None = None,
    secret_context: dict[str, Any] | None = None,
    about: str = "",
    ics: str = "",
    email: str = "",
    key_is_new: bool = False,
) -> Notification:
    """Write one outbox row, once per ``key``, in the caller's transaction.

    Call it inside the use case's ``transaction.atomic()`` so the row commits with the change.
    A second call with the same key returns the first row unchanged. ``secret_context`` holds
    links that work as keys; it is wiped once the message has gone. ``key_is_new`` when the
    key names a row the caller has just inserted in this transaction (a place just booked): no
    other row can hold it yet, so the look-up and the savepoint are skipped.
    """
    notification = outbox_row(
        recipient,
        kind,
        key=key,
        due_at=due_at,
        context=context,
        secret_context=secret_context,
        about=about,
        ics=ics,
        email=email,
    )
    due_now = notification.dispatched_at is not None
    if key_is_new:
        notification.save(force_insert=True)
    else:
        existing = Notification.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
        try:
            # A savepoint, so that losing a race on the unique key does not spoil the caller's
            # transaction: the other writer's row is the one we return.
            with transaction.atomic():
                notification.save(force_insert=True)
        except IntegrityError:
            return Notification.objects.get(idempotency_key=key)
    if due_now:
        notification_id = notification.pk
        transaction.on_commit(lambda: publish_dispatch([notification_id]))
    return notification


def publish_dispatch(notification_ids: Sequence[int], *, eta: datetime.datetime | None = None) -> int:
    """Publish the rows' dispatch, in tasks of up to ``NOTIFICATION_BATCH_SIZE`` rows each (one
    task per row would cost the broker and the workers a round trip per message); return how
    many rows were published. ``eta``: not before then (a retry after its backoff).

    Never raises: with the broker down the rows stay pending with no dispatch recorded, and
    the sweep publishes them when it is back. The broker settings bound each attempt to about
    a second (settings.py), so a request is not held up either.
    """
    ids = list(notification_ids)
    size = max(settings.NOTIFICATION_BATCH_SIZE, 1)
    published = 0
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            # One Redis command a batch (reflect/broker.py), or apply_async.
            publish_task(DISPATCH_BATCH_TASK, [batch], eta=eta)
        except (OperationalError, RedisError):
            lost = ids[start:]
            logger.warning("Broker unavailable: %d notification(s) left for the sweep.", len(lost))
            Notification.objects.filter(pk__in=lost, status=NotificationStatus.PENDING).update(dispatched_at=None)
            break
        except Exception:
            # In embedded (eager) mode the task runs here; its failures are on the rows already.
            logger.exception("Dispatching notifications %s failed.", batch)
        published += len(batch)
    return published


def publish_retries(notification_ids: Sequence[int]) -> int:
    """Publish the dispatch of rows put back after a passing failure, each for when its backoff
    ends. Should this be lost, the sweep publishes them instead."""
    by_due_at: dict[datetime.datetime, list[int]] = {}
    for pk, due_at in (
        Notification.objects.filter(pk__in=list(notification_ids), status=NotificationStatus.PENDING)
        .order_by("pk")
        .values_list("pk", "due_at")
    ):
        by_due_at.setdefault(due_at, []).append(pk)
    return sum(publish_dispatch(ids, eta=due_at) for due_at, ids in sorted(by_due_at.items()))


def cancel_notifications(about: str | Iterable[str], *, kinds: Iterable[str] | None = None) -> int:
    """Cancel the unsent notifications about a thing, or about any of several (a cancelled
    booking's reminders, say)."""
    abouts = [about] if isinstance(about, str) else list(about)
    pending = Notification.objects.filter(about__in=abouts, status=NotificationStatus.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    return pending.update(status=NotificationStatus.CANCELLED, secret_context={})


# --- Reminders in wall-clock time ----------------------------------------------------------


def reminder_due_times(
    starts_at: datetime.datetime, hours_before: Iterable[int], *, zone: str = "Europe/London"
) -> list[datetime.datetime]:
    """When to remind, in UTC, for an event starting at ``starts_at`` (aware).

    Offsets are taken in the local wall clock: "7 days before" a 10:00 session is 10:00 a week
    earlier even if the clocks changed in between. A local time that does not exist (the
    spring gap) moves forward to the same number of minutes after the change; a time that
    happens twice (the autumn overlap) is taken the first time. Each offset gives exactly
    one time, and offsets landing on the same instant give one reminder, not two.
    """
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must be timezone-aware.")
    tz = ZoneInfo(zone)
    local_start = starts_at.astimezone(tz).replace(tzinfo=None)
    due_times: set[datetime.datetime] = set()
    for hours in hours_before:
        wall = local_start - datetime.timedelta(hours=int(hours))
        # fold=0: zoneinfo reads a gap time with the offset from before the change (so it
        # lands after the gap) and an ambiguous time as its first occurrence.
        due_times.add(wall.replace(tzinfo=tz, fold=0).astimezone(datetime.UTC))
    return sorted(due_times)


def reminder_rows(
    recipient: User,
    kind: str,
    *,
    about: str,
    starts_at: datetime.datetime,
    context: dict[str, Any],
    preferences: ContactPreferences,
    ics: str = "",
    version: int = 0,
) -> list[Notification]:
    """A person's reminders for an event, at the offsets they chose (none in the past), as
    unsaved outbox rows (``queue_reminders`` saves them one by one, a new booking all at once).

    ``version`` goes up when the event changes (its iCalendar SEQUENCE): reminders withdrawn
    for an earlier version are then not mistaken for these, even at the same times.
    """
    now = timezone.now()
    stamp = starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%MZ")
    rows = []
    for due_at in reminder_due_times(
        starts_at, preferences.reminder_hours, zone=preferences.time_zone or "Europe/London"
    ):
        if due_at <= now:
            continue
        key = f"{kind}:{about}:{recipient.pk}:{stamp}:{due_at:%Y%m%dT%H%MZ}"
        if version:
            key += f":v{version}"
        rows.append(outbox_row(recipient, kind, key=key, due_at=due_at, context=context, about=about, ics=ics))
    return rows


def queue_reminders(
    recipient: User,
    kind: str,
    *,
    about: str,
    starts_at: datetime.datetime,
    context: dict[str, Any],
    ics: str = "",
    version: int = 0,
) -> list[Notification]:
    """Queue a person's reminders for an event (``reminder_rows``), each once per key."""
    rows = reminder_rows(
        recipient,
        kind,
        about=about,
        starts_at=starts_at,
        context=context,
        preferences=preferences_for(recipient),
        ics=ics,
        version=version,
    )
    return [
        queue_notification(
            recipient, kind, key=row.idempotency_key, due_at=row.due_at, context=context, about=about, ics=ics
        )
        for row in rows
    ]


# --- Quiet hours for text messages ---------------------------------------------------------


def quiet_hours_end(moment: datetime.datetime, zone: str = "Europe/London") -> datetime.datetime | None:
    """If ``moment`` falls between 21:00 and 08:00 local time, the next 08:00 (in UTC)."""
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    if QUIET_UNTIL <= local.time() < QUIET_FROM:
        return None
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, QUIET_UNTIL, tzinfo=tz).astimezone(datetime.UTC)


# --- Choosing a channel --------------------------------------------------------------------


class NoUsableChannel(Exception):
    pass


def choose_channel(notification: Notification) -> tuple[str, str, str]:
    """(channel, where to send, why we fell back to e-mail or "") for this notification."""
    email_address = notification.recipient_email or (notification.recipient.email if notification.recipient else "")
    preferences: ContactPreferences | None = None
    if notification.recipient is not None:
        # Fetched with the row (select_related); a person who never set any has none.
        preferences = getattr(notification.recipient, "contact_preferences", None)
    preferred = Channel.EMAIL
    if preferences is not None and not kind_spec(notification.kind).email_only:
        preferred = Channel(preferences.channel)
    reason = ""
    if preferred == Channel.SMS and preferences is not None:
        if not notify_configured_for(Channel.SMS):
            reason = "No GOV.UK Notify key or text-message template is configured"
        elif not preferences.phone.strip():
            reason = "No mobile number is on file"
        else:
            return Channel.SMS, preferences.phone.strip(), ""
    elif preferred == Channel.LETTER and preferences is not None:
        if not notify_configured_for(Channel.LETTER):
            reason = "No GOV.UK Notify key or letter template is configured"
        elif not preferences.postal_address.strip():
            reason = "No postal address is on file"
        elif len(address_lines(preferences.postal_address)) < 3:
            reason = "The postal address has fewer than the three lines a letter needs"
        else:
            return Channel.LETTER, preferences.postal_address, ""
    if not email_address:
        raise NoUsableChannel(f"{reason or 'No channel'}, and there is no e-mail address to fall back to.")
    return Channel.EMAIL, email_address, f"{reason} — sent by e-mail." if reason else ""


# --- Delivery ------------------------------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


def deliver_notification(notification_id: int, *, now: datetime.datetime | None = None) -> DeliveryOutcome:
    """Send one notification if it is due and nobody else has it (``deliver_notifications``)."""
    return deliver_notifications([notification_id], now=now)[notification_id]


def claim_notifications(notification_ids: Sequence[int], *, now: datetime.datetime) -> list[Notification]:
    """Take the rows among these that are due and pending, for this caller alone.

    Only one caller can take a row, however many ask at once (a duplicate task, a redelivered
    one, the sweep racing the first dispatch): the rows are read ``FOR UPDATE SKIP LOCKED`` and
    marked *sending* in the same transaction, so a caller that comes at the same time skips
    them instead of waiting, and one that comes later finds them taken. On SQLite the
    transaction takes the write lock when it begins, which serialises claims just as surely.
    """
    due = (
        Notification.objects.filter(pk__in=list(notification_ids), status=NotificationStatus.PENDING, due_at__lte=now)
        .select_related("recipient", "recipient__contact_preferences")
        .order_by("due_at", "pk")
    )
    with transaction.atomic():
        if lock_on(Lock.NOTIFICATION_CLAIM) and connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due)
        if rows:
            # Marked in the same transaction as the lock: once it commits, nobody else may send.
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    for row in rows:
        row.status, row.claimed_at, row.attempts = NotificationStatus.SENDING, now, row.attempts + 1
    return rows


def deliver_notifications(
    notification_ids: Sequence[int], *, now: datetime.datetime | None = None
) -> dict[int, DeliveryOutcome]:
    """Send a batch of notifications, those of them that are due and nobody else has; the
    outcome of each. Safe to call any number of times with the same ids.

    The batch is claimed at once (``claim_notifications``); its e-mails go over one connection
    to the mail server (``MailBatch``); each kind's templates are looked up once
    (``Renderer``); and the results are written with one UPDATE per kind of outcome, so the
    statements a batch costs do not grow with its size. A message is recorded as sent only
    after the provider accepted it. Each message succeeds or fails on its own.
    """
    now = now or timezone.now()
    outcomes = dict.fromkeys(notification_ids, DeliveryOutcome.NOT_CLAIMED)
    claimed = claim_notifications(notification_ids, now=now)
    changes: dict[int, dict[str, Any]] = {}
    # A batch ends well before the sweep would judge its worker dead and hand its rows to
    # another (a slow provider, many timeouts): rows not reached by then go back to the queue.
    give_back_after = time.monotonic() + settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS / 2
    renderer = Renderer()
    with MailBatch() as mail:
        for position, notification in enumerate(claimed):
            if position and time.monotonic() > give_back_after:
                outcomes[notification.pk], changes[notification.pk] = _give_back()
                continue
            outcomes[notification.pk], changes[notification.pk] = _deliver_claimed(notification, now, renderer, mail)
    _record_outcomes(changes, claimed_at=now)
    return outcomes


def _give_back() -> tuple[DeliveryOutcome, dict[str, Any]]:
    # As if never tried; no dispatch recorded, so the next sweep publishes it.
    changes = {"status": NotificationStatus.PENDING, "attempts": F("attempts") - 1, "claimed_at": None}
    return DeliveryOutcome.GIVEN_BACK, changes | {"dispatched_at": None}


def _deliver_claimed(
    notification: Notification, now: datetime.datetime, renderer: Renderer, mail: MailBatch
) -> tuple[DeliveryOutcome, dict[str, Any]]:
    """Send one claimed notification: its outcome, and what to write on its row."""
    try:
        channel, address, fallback_reason = choose_channel(notification)
    except NoUsableChannel as problem:
        return DeliveryOutcome.FAILED, {
            "status": NotificationStatus.FAILED,
            "last_error": str(problem),
            "fallback_reason": str(problem),
        }

    if channel == Channel.SMS:
        zone = notification.recipient.contact_preferences.time_zone if notification.recipient else ""
        morning = quiet_hours_end(now, zone or "Europe/London")
        if morning is not None:
            # No texts between 21:00 and 08:00: put it back, due at 08:00, as if never tried.
            return DeliveryOutcome.DEFERRED, {
                "status": NotificationStatus.PENDING,
                "due_at": morning,
                "attempts": F("attempts") - 1,
                "claimed_at": None,
                "dispatched_at": None,
            }

    try:
        message = renderer.render(notification, short=channel == Channel.SMS)
        if channel == Channel.SMS:
            reference = send_sms(notification, address, message)
        elif channel == Channel.LETTER:
            reference = send_letter(notification, address, message)
        else:
            reference = mail.send(notification, address, message)
    except PermanentDeliveryError as error:
        return DeliveryOutcome.FAILED, {
            "status": NotificationStatus.FAILED,
            "channel": channel,
            "last_error": error.reason,
        }
    except TransientDeliveryError as error:
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            return DeliveryOutcome.FAILED, {
                "status": NotificationStatus.FAILED,
                "channel": channel,
                "last_error": f"Gave up after {notification.attempts} attempts. Last error: {error.reason}",
            }
        return DeliveryOutcome.RETRY, {
            "status": NotificationStatus.PENDING,
            "due_at": now + retry_delay(notification.attempts),
            "last_error": error.reason,
            "claimed_at": None,
        }
    except Exception as error:
        # A bug (a broken template, say) will not mend itself: fail visibly, do not loop.
        logger.exception("Notification %s could not be sent.", notification.pk)
        return DeliveryOutcome.FAILED, {
            "status": NotificationStatus.FAILED,
            "channel": channel,
            "last_error": f"Unexpected error: {error!r}",
        }

    return (
        DeliveryOutcome.SENT,
        {
            "status": NotificationStatus.SENT,
            "sent_at": timezone.now(),  # when the provider accepted it
            "channel": channel,
            "fallback_reason": fallback_reason,
            "provider_reference": reference[:200],
            "last_error": "",
            "secret_context": {},
        },
    )


def _record_outcomes(changes: dict[int, dict[str, Any]], *, claimed_at: datetime.datetime) -> None:
    """Write each row's result: one UPDATE for all the rows whose results change the same
    fields (all those sent, say), a field that differs from row to row given by a CASE on the
    id. The number of statements depends on the kinds of outcome, not on how many rows."""
    for pks, values in updates_by_changed_fields(changes, _each_row_its_own):
        # Only this claim may record the outcome: if the sweep judged us dead and handed a row
        # to another worker, our late result must not overwrite theirs.
        Notification.objects.filter(pk__in=pks, status=NotificationStatus.SENDING, claimed_at=claimed_at).update(
            **values
        )


def _each_row_its_own(name: str, pks: list[int], values: list[Any]) -> RawSQL:
    """``CASE id WHEN 1 THEN 'a' WHEN 2 THEN 'b' … END``: each row's own value of a field, in one
    expression. Written out rather than built from Case and When, which cost about 10 µs a row
    to build (a fifth of a message's whole cost in a batch of 50)."""
    field = Notification._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the row, not a relation
    params: list[Any] = []
    for pk, value in zip(pks, values, strict=True):
        params += [pk, field.get_db_prep_value(value, connection)]
    sql = f"CASE {connection.ops.quote_name(Notification._meta.pk.attname)} {'WHEN %s THEN %s ' * len(pks)}END"
    # Every value is a parameter: the text holds only the id column's own name.
    return RawSQL(sql, params, output_field=field)  # noqa: S611


# --- The sweep -----------------------------------------------------------------------------


def sweep_due_notifications(*, limit: int = 5000, now: datetime.datetime | None = None) -> list[int]:
    """Publish dispatch for every due row whose task was lost; recover rows of dead workers.

    Runs every minute from beat (and in a loop in the demo). Returns the ids it published.
    """
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.NOTIFICATION_SENDING_TIMEOUT_SECONDS)
    lost_before = now - datetime.timedelta(seconds=settings.NOTIFICATION_REDISPATCH_AFTER_SECONDS)
    with transaction.atomic():
        # A row still "sending" long after its claim belongs to a worker that died. The
        # message may or may not have reached the provider (the window described in
        # reflect/tasks.py); we send again rather than risk it never arriving.
        stale = Notification.objects.filter(status=NotificationStatus.SENDING, claimed_at__lt=stale_before)
        stale.filter(attempts__gte=settings.NOTIFICATION_MAX_ATTEMPTS).update(
            status=NotificationStatus.FAILED, last_error="The worker stopped while sending, on the last attempt."
        )
        stale.update(
            status=NotificationStatus.PENDING,
            claimed_at=None,
            dispatched_at=None,
            last_error="The worker sending it stopped before recording the result; sending again.",
        )
        due = (
            Notification.objects.filter(status=NotificationStatus.PENDING, due_at__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=lost_before))
            .order_by("due_at")
        )
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps (two beat processes by mistake, or a slow one overrunning the next)
            # take disjoint rows instead of queueing each twice.
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            Notification.objects.filter(pk__in=ids).update(dispatched_at=now)
            transaction.on_commit(lambda: publish_dispatch(ids))
    return ids


def retry_failed_notifications(notification_ids: Sequence[int]) -> int:
    """Put failed notifications back in the queue, due now, with a fresh count of attempts."""
    with transaction.atomic():
        ids = list(
            Notification.objects.filter(pk__in=notification_ids, status=NotificationStatus.FAILED).values_list(
                "pk", flat=True
            )
        )
        Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.PENDING, due_at=timezone.now(), attempts=0, dispatched_at=timezone.now()
        )
        transaction.on_commit(lambda: publish_dispatch(ids))
    return len(ids)
