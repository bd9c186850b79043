"""Who may see and change which webhook endpoints (docs/webhooks.md, "Who").

A pool's endpoints: its commissioners (``reflect.access.access_pool``). An organisation's: its
current lead (``reflect.access.access_led_organisation``). An endpoint or delivery anyone else
asks for is the same 404 as one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reflect.access import access_led_organisation, access_pool
from reflect.models import Organisation, Pool, User
from webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_owner(user: User, *, pool_id: int | None = None, organisation_id: int | None = None) -> Pool | Organisation:
    """The pool or organisation whose endpoints the person asks for, or 404."""
    if pool_id is not None:
        return access_pool(user, pool_id)
    assert organisation_id is not None
    try:
        organisation, _membership = access_led_organisation(user, organisation_id)
    except PermissionDenied as error:  # a member who is not the lead: not theirs to see here
        raise Http404("No such organisation.") from error
    return organisation


def access_endpoint(user: User, endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, if the person may manage its owner: the same rule, through the same core
    helpers, as the owner's list of endpoints (no second copy of who leads or commissions)."""
    endpoint = (
        WebhookEndpoint.objects.filter(pk=endpoint_id).select_related("pool", "organisation").first()
        if user.is_authenticated
        else None
    )
    if endpoint is None:
        raise Http404("No such endpoint.")
    try:
        webhook_owner(user, pool_id=endpoint.pool_id, organisation_id=endpoint.organisation_id)
    except Http404 as error:  # theirs to see only as the pool's or organisation's: same 404
        raise Http404("No such endpoint.") from error
    return endpoint


def access_delivery(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    return delivery
