"""Webhook pages: a pool's or an organisation's endpoints, one endpoint with its deliveries,
and the buttons on it (docs/webhooks.md). Thin: access, then a service, then a page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reflect.access import acting_user, commissioner_area, two_factor_setup_redirect
from reflect.errors import DomainError
from reflect.models import Organisation, Pool
from webhooks import services
from webhooks.access import access_delivery, access_endpoint, webhook_owner
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint

# The deliveries an endpoint's page lists, newest first: a bounded page whatever the history.
RECENT_DELIVERIES = 25
# The session key of a secret to show once, on the next page only.
_SHOWN_ONCE = "webhook_secret_once"


def _owner_context(owner: Pool | Organisation) -> dict[str, object]:
    if isinstance(owner, Pool):
        return {
            "owner": owner,
            "owner_kind": "pool",
            "back_url": reverse("pool_detail", args=[owner.pk]),
            "list_url": reverse("webhook_pool_endpoints", args=[owner.pk]),
            "add_url": reverse("webhook_pool_endpoint_add", args=[owner.pk]),
            "audience": "commissioner",
        }
    return {
        "owner": owner,
        "owner_kind": "organisation",
        "back_url": reverse("organisation_detail", args=[owner.pk]),
        "list_url": reverse("webhook_organisation_endpoints", args=[owner.pk]),
        "add_url": reverse("webhook_organisation_endpoint_add", args=[owner.pk]),
        "audience": "lead",
    }


def _endpoint_list(request: HttpRequest, owner: Pool | Organisation) -> HttpResponse:
    scope = {"pool": owner} if isinstance(owner, Pool) else {"organisation": owner}
    endpoints = list(WebhookEndpoint.objects.filter(**scope).order_by("pk"))
    return render(request, "webhooks/endpoint_list.html", {"endpoints": endpoints} | _owner_context(owner))


def _endpoint_add(request: HttpRequest, owner: Pool | Organisation) -> HttpResponse:
    form = EndpointForm(request.POST or None, audience=services.owner_audience(owner))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.register_endpoint(
                owner,
                acting_user=acting_user(request),
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            request.session[_SHOWN_ONCE] = {"endpoint": endpoint.pk, "secret": secret}
            messages.success(request, "Endpoint added. Copy its signing secret now: it is shown only once.")
            return redirect("webhook_endpoint", endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form} | _owner_context(owner))


@commissioner_area
def pool_endpoints(request: HttpRequest, pool: Pool) -> HttpResponse:
    return _endpoint_list(request, pool)


@commissioner_area
def pool_endpoint_add(request: HttpRequest, pool: Pool) -> HttpResponse:
    return _endpoint_add(request, pool)


@login_required
def organisation_endpoints(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _endpoint_list(request, webhook_owner(acting_user(request), organisation_id=organisation_id))


@login_required
def organisation_endpoint_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _endpoint_add(request, webhook_owner(acting_user(request), organisation_id=organisation_id))


def _endpoint_or_refusal(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint | HttpResponse:
    """The endpoint, or where to send the person instead: to sign in; to set up two-factor
    authentication first for a pool's endpoint (as on the pool's other pages). The views are
    signed-in only (login_required)."""
    endpoint = access_endpoint(acting_user(request), endpoint_id)
    if endpoint.pool_id is not None and (refusal := two_factor_setup_redirect(request)) is not None:
        return refusal
    return endpoint


@login_required
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_refusal(request, endpoint_id)
    if isinstance(endpoint, HttpResponse):
        return endpoint
    shown = request.session.pop(_SHOWN_ONCE, None)
    secret = shown["secret"] if shown and shown.get("endpoint") == endpoint.pk else None
    deliveries = list(
        WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    owner: Pool | Organisation = endpoint.pool if endpoint.pool is not None else endpoint.organisation  # type: ignore[assignment]  # one of the two is set (a check constraint)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "secret": secret,
            "deliveries": deliveries,
            "events": services.labelled_events(endpoint.events),
            "recent": RECENT_DELIVERIES,
            "grace_until": endpoint.previous_secret_until
            if endpoint.previous_secret_until and endpoint.previous_secret_until > timezone.now()
            else None,
        }
        | _owner_context(owner),
    )


@require_POST
@login_required
def endpoint_rotate(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_refusal(request, endpoint_id)
    if isinstance(endpoint, HttpResponse):
        return endpoint
    secret = services.rotate_secret(endpoint, acting_user=acting_user(request))
    request.session[_SHOWN_ONCE] = {"endpoint": endpoint.pk, "secret": secret}
    messages.success(request, "New signing secret made. The old one keeps working for a day, beside the new.")
    return redirect("webhook_endpoint", endpoint.pk)


@require_POST
@login_required
def endpoint_toggle(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint_or_refusal(request, endpoint_id)
    if isinstance(endpoint, HttpResponse):
        return endpoint
    active = not endpoint.is_active
    services.set_endpoint_active(endpoint, active=active, acting_user=acting_user(request))
    messages.success(request, "Endpoint turned on." if active else "Endpoint turned off.")
    return redirect("webhook_endpoint", endpoint.pk)


@login_required
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """GET asks, POST deletes (docs/product.md, "Confirming")."""
    endpoint = _endpoint_or_refusal(request, endpoint_id)
    if isinstance(endpoint, HttpResponse):
        return endpoint
    owner: Pool | Organisation = endpoint.pool if endpoint.pool is not None else endpoint.organisation  # type: ignore[assignment]  # one of the two is set
    context = _owner_context(owner)
    if request.method != "POST":
        return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint} | context)
    services.delete_endpoint(endpoint, acting_user=acting_user(request))
    messages.success(request, "Endpoint deleted.")
    return redirect(str(context["list_url"]))


@require_POST
@login_required
def delivery_resend(request: HttpRequest, endpoint_id: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint_or_refusal(request, endpoint_id)
    if isinstance(endpoint, HttpResponse):
        return endpoint
    delivery = access_delivery(endpoint, delivery_id)
    try:
        services.resend_delivery(delivery, acting_user=acting_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Sending again.")
    return redirect("webhook_endpoint", endpoint.pk)
