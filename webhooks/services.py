"""Webhook use cases: registering an endpoint, rotating its secret, turning it off and on, and
the outbox of deliveries (docs/webhooks.md).

Deliveries work as the notification outbox does (docs/notifications.md): a row per event and
endpoint, written after the change commits (reflect/events.py); the worker *claims* a batch
(``SELECT … FOR UPDATE SKIP LOCKED``, marked *sending* in the same transaction) and sends only
what it claimed, so a task that runs twice sends once; a failure is retried with exponential
backoff and jitter; the sweep publishes what was missed and recovers rows of a worker that died.
An endpoint that has failed for a day without a success is turned off and its owner told.
"""

from __future__ import annotations

import datetime
import json
import logging
import random
from collections.abc import Sequence
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Field, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from reflect import wording
from reflect.errors import DomainError
from reflect.events import AUDIENCES, EVENT_LABELS, Audience, Event, EventKind, iso, kinds_for
from reflect.locks import Lock, lock_on
from reflect.models import Organisation, Pool, User
from reflect.outcomes import updates_by_changed_fields
from reflect.queries import current_leads, is_commissioner, is_current_lead
from reflect.services.audit import record_audit
from reflect.services.notifications import queue_notification
from reflect.statements import fetch_row
from scheduling.calendar_credentials import CredentialsUnreadable, decrypt_secret, encrypt_secret
from webhooks.addresses import check_endpoint_url, pinned_address
from webhooks.models import FINISHED, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.notification_kinds import WebhookNotificationKind
from webhooks.sending import Answer, post
from webhooks.signing import delivery_headers, new_message_id, new_secret

logger = logging.getLogger(__name__)

# The Celery task that delivers a batch of rows (webhooks/tasks.py), published by this name: the
# tasks module sits above this one.
DELIVER_TASK = "webhooks.deliver"
MAX_ENDPOINTS = 10  # per pool or organisation: bounded work for every event
# A delivery whose body is gone (webhooks/data_protection.py: kept for a while, then dropped).
PAYLOAD_GONE = "This delivery’s content is no longer kept, so it cannot be sent again."


# --- Endpoints ------------------------------------------------------------------------------


def _checked_events(events: Sequence[str], audience: Audience) -> list[str]:
    """The kinds chosen, each one this audience may hear of (reflect.events.AUDIENCES)."""
    known = {kind.value for kind in kinds_for(audience)}
    chosen = sorted({event for event in events if event in known})
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError("Choose at least one event to send", field="events")
    return chosen


def register_endpoint(
    owner: Pool | Organisation,
    *,
    acting_user: User,
    url: str,
    events: Sequence[str],
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for a pool (its commissioner) or an organisation (its lead), and its
    secret, which is shown this once. The caller has checked access (webhooks/access.py)."""
    url = check_endpoint_url(url)
    chosen = _checked_events(events, owner_audience(owner))
    pinned_address(url)  # the name's answers now; again at every delivery
    scope = {"pool": owner} if isinstance(owner, Pool) else {"organisation": owner}
    with transaction.atomic():
        if lock_on(Lock.WEBHOOK_OWNER):
            # Two additions at once count in turn, so neither passes the limit on the other's
            # count (reflect/locks.py: the pool's row, or the organisation's; nothing after it).
            type(owner).objects.select_for_update(no_key=True).filter(pk=owner.pk).first()
        if WebhookEndpoint.objects.filter(**scope).count() >= MAX_ENDPOINTS:
            raise DomainError(
                f"You can have at most {wording.count(MAX_ENDPOINTS, 'endpoint')}. Delete one first.", field="url"
            )
        secret = new_secret()
        endpoint = WebhookEndpoint.objects.create(
            **scope,
            url=url,
            description=description.strip()[:200],
            events=chosen,
            secret=encrypt_secret(secret),
            created_by=acting_user,
        )
        record_audit("webhook.registered", actor=acting_user, target=endpoint, events=chosen)
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint, *, acting_user: User, now: datetime.datetime | None = None) -> str:
    """A new secret, shown once. The old one still signs deliveries (beside the new) for
    ``WEBHOOK_SECRET_GRACE_HOURS``, so the receiver can change over without losing any."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        secret = new_secret()
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = now + datetime.timedelta(hours=settings.WEBHOOK_SECRET_GRACE_HOURS)
        endpoint.secret = encrypt_secret(secret)
        endpoint.save(update_fields=["previous_secret", "previous_secret_until", "secret"])
        record_audit("webhook.secret_rotated", actor=acting_user, target=endpoint)
    return secret


def set_endpoint_active(endpoint: WebhookEndpoint, *, active: bool, acting_user: User) -> WebhookEndpoint:
    """Turn an endpoint off, or back on (its failures forgotten: the owner says it is mended;
    the person turning it on becomes its keeper)."""
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if endpoint.is_active == active:
            return endpoint  # a second click
        endpoint.is_active = active
        endpoint.disabled_at = None if active else timezone.now()
        endpoint.disabled_reason = "" if active else "Turned off by hand."
        endpoint.failing_since = None
        if active:
            # Whoever turns it on keeps it: it sends while they manage its owner (keeper_manages).
            endpoint.created_by = acting_user
        endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "failing_since", "created_by"])
        record_audit("webhook.turned_on" if active else "webhook.turned_off", actor=acting_user, target=endpoint)
    return endpoint


def delete_endpoint(endpoint: WebhookEndpoint, *, acting_user: User) -> None:
    with transaction.atomic():
        record_audit("webhook.deleted", actor=acting_user, target=endpoint, url=endpoint.url)
        endpoint.delete()


def resend_delivery(
    delivery: WebhookDelivery, *, acting_user: User, now: datetime.datetime | None = None
) -> WebhookDelivery:
    """Send a delivery again by hand, the same message (same id and body), due now."""
    now = now or timezone.now()
    if not delivery.endpoint.is_active:
        raise DomainError("Turn the endpoint back on before sending again.")
    if not delivery.body:
        raise DomainError(PAYLOAD_GONE)
    with transaction.atomic():
        # Conditional, so two clicks (or a click and the retention) send it once: only a finished
        # delivery with its body still kept (WebhookDelivery.may_be_sent_again).
        changed = (
            WebhookDelivery.objects.filter(pk=delivery.pk, status__in=FINISHED)
            .exclude(body="")
            .update(status=DeliveryStatus.PENDING, due_at=now, attempts=0, claimed_at=None, last_error="")
        )
        if changed:
            record_audit("webhook.resent", actor=acting_user, target=delivery.endpoint, delivery=delivery.message_id)
            transaction.on_commit(lambda: publish_deliveries([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- Who keeps an endpoint -------------------------------------------------------------------
#
# An endpoint sends only while the person who added it (or last turned it on) still manages its
# owner: commissions the pool, or leads the organisation (docs/webhooks.md, "When its keeper
# goes"). Checked when an event is recorded and again when a delivery is sent; an endpoint whose
# keeper has gone (lost the role, left, or was erased) is turned off, and the owner's current
# commissioners or leads are told, so that one of them can turn it back on as theirs.


def keeper_manages(endpoint: WebhookEndpoint) -> bool:
    """Whether the endpoint's keeper still commissions its pool or leads its organisation (the
    core's rules, reflect.queries). Wants ``created_by`` and ``pool`` loaded with it."""
    keeper = endpoint.created_by
    if keeper is None:
        return False
    if endpoint.pool is not None:
        return is_commissioner(keeper, endpoint.pool)
    assert endpoint.organisation_id is not None  # one of the two (a check constraint)
    return is_current_lead(keeper, endpoint.organisation_id)


KEEPER_GONE = "Turned off because the person who added it no longer manages the {owner_kind}."


def _turn_off_without_keeper(endpoint: WebhookEndpoint, now: datetime.datetime) -> None:
    owner_kind = "pool" if endpoint.pool_id is not None else "organisation"
    _turn_off(
        endpoint,
        now,
        KEEPER_GONE.format(owner_kind=owner_kind),
        tell=_managers(endpoint),
        advice="If the system it sends to is yours to keep, turn it back on (it is then yours), or delete it,",
    )


def _managers(endpoint: WebhookEndpoint) -> list[User]:
    """Who may manage the endpoint now: the pool's commissioners, or the organisation's leads."""
    if endpoint.pool is not None:
        return list(endpoint.pool.commissioners.order_by("pk"))
    assert endpoint.organisation_id is not None
    return [membership.user for membership in current_leads(endpoint.organisation_id).order_by("pk")]


# --- Events into the outbox -----------------------------------------------------------------


def owner_audience(owner: Pool | Organisation) -> Audience:
    """Whom a pool's or an organisation's endpoints speak to, and so what they may hear."""
    return Audience.COMMISSIONER if isinstance(owner, Pool) else Audience.LEAD


def _audience(endpoint: WebhookEndpoint) -> Audience:
    return Audience.COMMISSIONER if endpoint.pool_id is not None else Audience.LEAD


def encode_body(document: dict[str, Any]) -> str:
    """A body as stored and sent: compact JSON, keys sorted (also when erasure rewrites one)."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True)


def message_body(event: Event, payload: dict[str, Any]) -> str:
    """The Standard Webhooks body: the event's type, when it happened, and its data."""
    return encode_body({"type": event.kind.value, "timestamp": iso(event.occurred_at), "data": payload})


def record_event(event: Event) -> list[WebhookDelivery]:
    """The event sink (reflect/events.py), after the change committed: one delivery row for
    each active endpoint that chose this kind of event, of the pool (if its commissioners may
    hear of it) and of the organisation (if its lead may)."""
    audiences = AUDIENCES[event.kind]
    to_pool = Audience.COMMISSIONER in audiences
    to_organisation = Audience.LEAD in audiences and event.organisation_id is not None
    if not _any_endpoint_may_hear(event, to_pool=to_pool, to_organisation=to_organisation):
        return []
    owners = Q(pool_id=event.pool_id) if to_pool else Q(pk=None)
    if to_organisation:
        owners |= Q(organisation_id=event.organisation_id)
    candidates = WebhookEndpoint.objects.filter(owners, is_active=True).select_related("created_by", "pool")
    endpoints = []
    for endpoint in candidates:
        if event.kind not in endpoint.events:
            continue
        if keeper_manages(endpoint):
            endpoints.append(endpoint)
        else:
            with transaction.atomic():
                _turn_off_without_keeper(endpoint, timezone.now())
    if not endpoints:
        return []
    bodies: dict[Audience, str] = {}
    rows = []
    for endpoint in endpoints:
        audience = _audience(endpoint)
        if audience not in bodies:
            bodies[audience] = message_body(event, event.payload(audience))
        rows.append(
            WebhookDelivery(
                endpoint=endpoint,
                message_id=new_message_id(),
                event=event.kind.value,
                body=bodies[audience],
                due_at=timezone.now(),  # due now, whatever moment the event names
            )
        )
    with transaction.atomic():
        saved = WebhookDelivery.objects.bulk_create(rows)
        ids = [row.pk for row in saved]
        transaction.on_commit(lambda: publish_deliveries(ids))
    return saved


def _any_endpoint_may_hear(event: Event, *, to_pool: bool, to_organisation: bool) -> bool:
    """Whether the pool or the organisation has an active endpoint at all: most have none, and
    every booking asks after its commit, so the question is a query kept once per process
    (reflect/statements.py) rather than built by the ORM each time (docs/performance.md)."""
    if not (to_pool or to_organisation):
        return False

    def build(pool_id: int, organisation_id: int) -> Any:
        owners = Q(pool_id=pool_id) if to_pool else Q(pk=None)
        if to_organisation:
            owners |= Q(organisation_id=organisation_id)
        return WebhookEndpoint.objects.filter(owners, is_active=True).values("pk")[:1]

    found = fetch_row(
        ("webhooks", "any endpoint", "pool" if to_pool else "", "organisation" if to_organisation else ""),
        build,
        pool_id=event.pool_id,
        organisation_id=event.organisation_id or 0,
    )
    return found is not None


def publish_deliveries(delivery_ids: Sequence[int], *, eta: datetime.datetime | None = None) -> None:
    """Publish the delivery task for these rows, in batches; never raises (the sweep publishes
    what a broker that is down lost)."""
    task = current_app.tasks[DELIVER_TASK]
    ids = list(delivery_ids)
    size = max(settings.WEBHOOK_BATCH_SIZE, 1)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        try:
            task.apply_async(args=[batch], eta=eta, retry=False)
        except OperationalError:
            logger.warning("Broker unavailable: %d webhook deliveries left for the sweep.", len(ids) - start)
            return
        except Exception:
            # In embedded (eager) mode the task runs here; its failures are on the rows already.
            logger.exception("Delivering webhooks %s failed.", batch)


# --- Delivery -------------------------------------------------------------------------------


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> datetime.timedelta:
    """Exponential backoff with jitter: about base × 2^(attempts-1), capped, each wait drawn
    between half and all of it, so receivers coming back from an outage are not hit by every
    retry at once."""
    ceiling = min(settings.WEBHOOK_RETRY_MAX_SECONDS, settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    draw = (rng or random).uniform(ceiling / 2, ceiling)
    return datetime.timedelta(seconds=draw)


def signing_secrets(endpoint: WebhookEndpoint, now: datetime.datetime) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    secrets = [decrypt_secret(endpoint.secret)]
    if endpoint.previous_secret and endpoint.previous_secret_until and endpoint.previous_secret_until > now:
        secrets.append(decrypt_secret(endpoint.previous_secret))
    return secrets


def claim_deliveries(delivery_ids: Sequence[int], *, now: datetime.datetime) -> list[WebhookDelivery]:
    """The due, pending rows among these that nobody else holds, marked *sending* by us."""
    due = (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), status=DeliveryStatus.PENDING, due_at__lte=now)
        .select_related("endpoint", "endpoint__created_by", "endpoint__pool")
        .order_by("due_at", "pk")
    )
    with transaction.atomic():
        if lock_on(Lock.WEBHOOK_CLAIM) and connection.features.has_select_for_update_skip_locked:
            # Two workers given the same rows take disjoint ones: each message is sent once.
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due)
        if rows:
            WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
    for row in rows:
        row.status, row.claimed_at, row.attempts = DeliveryStatus.SENDING, now, row.attempts + 1
    return rows


def deliver_webhooks(delivery_ids: Sequence[int], *, now: datetime.datetime | None = None) -> dict[int, str]:
    """Send the claimed rows of a batch, each on its own; the status each ends in.

    The batch is claimed in one transaction and its results written in one more (the attempts
    in one insert, the rows with one UPDATE per kind of outcome): on PostgreSQL each commit
    waits for the disk, so a commit per delivery would cost more than the delivery itself.
    """
    now = now or timezone.now()
    outcomes = {pk: "not claimed" for pk in delivery_ids}
    changes: dict[int, dict[str, Any]] = {}
    log: list[WebhookAttempt] = []
    # Each endpoint's first failure since its last success, as this batch leaves it.
    failing: dict[int, datetime.datetime | None] = {}
    to_turn_off: dict[int, WebhookEndpoint] = {}
    kept: dict[int, bool] = {}  # each endpoint's keeper checked once a batch
    claimed = claim_deliveries(delivery_ids, now=now)
    for delivery in claimed:
        endpoint = delivery.endpoint
        if endpoint.is_active and endpoint.pk not in kept:
            kept[endpoint.pk] = keeper_manages(endpoint)
        if not endpoint.is_active or endpoint.pk in to_turn_off or not kept[endpoint.pk]:
            changes[delivery.pk] = {"status": DeliveryStatus.FAILED, "last_error": "The endpoint is turned off."}
        else:
            sent_at, answer = _send(delivery)
            log.append(
                WebhookAttempt(
                    delivery=delivery,
                    attempted_at=sent_at,
                    status_code=answer.status_code,
                    response_ms=answer.response_ms,
                    error=answer.error[:300],
                )
            )
            since = failing.get(endpoint.pk, endpoint.failing_since)
            if answer.delivered:
                failing[endpoint.pk] = None
            else:
                failing[endpoint.pk] = since = since or sent_at
                if sent_at - since >= datetime.timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS):
                    to_turn_off[endpoint.pk] = endpoint
            changes[delivery.pk] = _result(delivery, answer, sent_at, turn_off=endpoint.pk in to_turn_off)
        outcomes[delivery.pk] = changes[delivery.pk]["status"]
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(log)
        _record_outcomes(changes, claimed_at=now)
        _record_failing(failing)
        for endpoint in to_turn_off.values():
            _disable_after_failures(endpoint, now)
        for pk, keeper_there in kept.items():
            if not keeper_there:
                _turn_off_without_keeper(next(d.endpoint for d in claimed if d.endpoint_id == pk), now)
    for pk, fields in changes.items():
        if fields["status"] == DeliveryStatus.PENDING:
            publish_deliveries([pk], eta=fields["due_at"])
    return outcomes


def _send(delivery: WebhookDelivery) -> tuple[datetime.datetime, Answer]:
    sent_at = timezone.now()
    body = delivery.body.encode()
    try:
        headers = delivery_headers(signing_secrets(delivery.endpoint, sent_at), delivery.message_id, sent_at, body)
    except CredentialsUnreadable:
        return sent_at, Answer(None, 0, "The endpoint's secret cannot be read: make a new one.")
    return sent_at, post(delivery.endpoint.url, body, headers)


def _result(delivery: WebhookDelivery, answer: Answer, sent_at: datetime.datetime, *, turn_off: bool) -> dict[str, Any]:
    """What to write on a delivery's row after an attempt."""
    result: dict[str, Any] = {"last_status_code": answer.status_code, "last_response_ms": answer.response_ms}
    if answer.delivered:
        return result | {"status": DeliveryStatus.DELIVERED, "delivered_at": sent_at, "last_error": ""}
    result["last_error"] = answer.error[:300]
    if turn_off or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return result | {"status": DeliveryStatus.FAILED}
    return result | {
        "status": DeliveryStatus.PENDING,
        "due_at": sent_at + retry_delay(delivery.attempts),
        "claimed_at": None,
    }


def _record_outcomes(changes: dict[int, dict[str, Any]], *, claimed_at: datetime.datetime) -> None:
    """One UPDATE for all the rows whose results change the same fields (reflect/outcomes.py).
    Only this claim's rows: if the sweep judged the worker dead and handed a row on, this late
    result must not overwrite the other's."""
    for pks, values in updates_by_changed_fields(changes, _each_row_its_own):
        WebhookDelivery.objects.filter(pk__in=pks, status=DeliveryStatus.SENDING, claimed_at=claimed_at).update(
            **values
        )


def _each_row_its_own(name: str, pks: list[int], values: list[Any]) -> Case:
    field = WebhookDelivery._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the row, not a relation
    whens = [When(pk=pk, then=Value(value, output_field=field)) for pk, value in zip(pks, values, strict=True)]
    return Case(*whens, output_field=field)


def _record_failing(failing: dict[int, datetime.datetime | None]) -> None:
    """Each endpoint's first failure since its last success: cleared by a success; set by a
    failure only if not set already (another worker's earlier failure stands)."""
    mended = [pk for pk, since in failing.items() if since is None]
    if mended:
        WebhookEndpoint.objects.filter(pk__in=mended, failing_since__isnull=False).update(failing_since=None)
    for pk, since in failing.items():
        if since is not None:
            WebhookEndpoint.objects.filter(pk=pk, failing_since__isnull=True).update(failing_since=since)


def _disable_after_failures(endpoint: WebhookEndpoint, now: datetime.datetime) -> None:
    """A day of failures: the endpoint is turned off and the person who added it told."""
    hours = settings.WEBHOOK_DISABLE_AFTER_HOURS
    keeper = [endpoint.created_by] if endpoint.created_by is not None else []
    reason = f"Turned off after {wording.count(hours, 'hour')} in which no delivery worked."
    _turn_off(endpoint, now, reason, tell=keeper)


def _turn_off(
    endpoint: WebhookEndpoint, now: datetime.datetime, reason: str, *, tell: Sequence[User], advice: str = ""
) -> None:
    """The endpoint is turned off, its waiting deliveries with it, and these people told, once
    (only the worker whose conditional UPDATE turned it off tells). Inside a transaction."""
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason
    ):
        return
    WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, last_error="The endpoint was turned off."
    )
    record_audit("webhook.turned_off", actor=None, target=endpoint, reason=reason)
    owner = f"pool {endpoint.pool}" if endpoint.pool_id else f"organisation {endpoint.organisation}"
    for person in tell:
        queue_notification(
            person,
            WebhookNotificationKind.ENDPOINT_DISABLED,
            key=f"webhook-endpoint:{endpoint.pk}:disabled:{now:%Y%m%dT%H%M%S}:{person.pk}",
            context={
                "url": endpoint.url,
                "owner": owner,
                "reason": reason,
                "advice": advice,  # what to do; the e-mail's own words when empty
                "page": settings.SITE_URL + reverse("webhook_endpoint", args=[endpoint.pk]),
            },
            about=f"webhook-endpoint:{endpoint.pk}",
        )


# --- The sweep ------------------------------------------------------------------------------


def sweep_webhooks(*, now: datetime.datetime | None = None, limit: int = 2000) -> list[int]:
    """Every minute from beat: rows of a worker that died go back to the queue, and due rows
    whose task was lost (a broker that was down) are published again."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.WEBHOOK_SENDING_TIMEOUT_SECONDS)
    with transaction.atomic():
        WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=stale_before).update(
            status=DeliveryStatus.PENDING, claimed_at=None, last_error="The worker stopped while sending; again."
        )
        # A minute's grace: rows published just now by their change are not published twice.
        due = WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, due_at__lte=now - datetime.timedelta(seconds=60)
        ).order_by("due_at")
        ids = list(due.values_list("pk", flat=True)[:limit])
        if ids:
            transaction.on_commit(lambda: publish_deliveries(ids))
    return ids


def labelled_events(codes: Sequence[str]) -> list[str]:
    return [EVENT_LABELS[EventKind(code)] for code in codes if code in EventKind._value2member_map_]
