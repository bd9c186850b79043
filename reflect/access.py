"""Who may see what. Every object URL fetches through here: anything else is a 404.

``access_<noun>(user, pk)`` returns the object when the user may see it and raises Http404
otherwise — so a stranger cannot even learn that the object exists (docs/architecture.md). Views name
the person they act for with :func:`acting_user`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from reflect.models import Invitation, Membership, Organisation, Pool, User


def acting_user(request: HttpRequest) -> User:
    """The signed-in person a view acts for, as Reflect's User.

    For views behind sign-in (``login_required``, ``two_factor_required``, ``commissioner_area``,
    ``supervisor_area``): Django types ``request.user`` as a user or an anonymous one.
    """
    user = request.user
    if not isinstance(user, User):
        raise TypeError("acting_user() is for views behind sign-in, and this request is signed out.")
    return user


def acting_user_or_none(request: HttpRequest) -> User | None:
    """The signed-in person a view acts for, or None for someone signed out."""
    return acting_user(request) if request.user.is_authenticated else None


def access_pool(user: User, pool_id: int) -> Pool:
    pool = Pool.objects.filter(pk=pool_id, commissioners=user).first() if user.is_authenticated else None
    if pool is None:
        raise Http404("No such pool.")
    return pool


def access_organisation(user: User, organisation_id: int) -> tuple[Organisation, Membership]:
    """An organisation the user is a current member of, with their membership."""
    membership = (
        Membership.objects.select_related("organisation")
        .current()
        .filter(organisation_id=organisation_id, user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership.organisation, membership


def access_led_organisation(user: User, organisation_id: int) -> tuple[Organisation, Membership]:
    """As ``access_organisation``; a member who is not the lead may see it but not change it."""
    organisation, membership = access_organisation(user, organisation_id)
    if not membership.is_lead:
        raise PermissionDenied("Only the organisation's lead can do this.")
    return organisation, membership


def access_member(organisation: Organisation, membership_id: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user").current(), pk=membership_id, organisation=organisation
    )


def access_pool_invitation(pool: Pool, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id, pool=pool)


def access_staff_invitation(organisation: Organisation, invitation_id: int) -> Invitation:
    return get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)


def has_two_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def is_exempt_from_two_factor(user: User) -> bool:
    return settings.MFA_EXEMPT_DEMO_ACCOUNTS and user.is_demo_account


def _needs_two_factor_setup(user: User) -> bool:
    return not (has_two_factor(user) or is_exempt_from_two_factor(user))


def _two_factor_setup_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("two_factor_required") + "?" + urlencode({"next": request.get_full_path()}))


def two_factor_setup_redirect(request: HttpRequest) -> HttpResponse | None:
    """Where to send a signed-in person who must set up two-factor authentication first, or
    None when they have it (or are exempt): for views that need it for some objects only."""
    if _needs_two_factor_setup(acting_user(request)):
        return _two_factor_setup_redirect(request)
    return None


# A gate answers whether a privileged page is this person's at all, from the address's values:
# it raises Http404 for a stranger (who must not learn that the page exists, so is not asked for
# two-factor set-up first), or returns False to leave the answer to the view (the admin's own
# sign-in page for someone who is not staff).
Gate = Callable[[User, dict[str, Any]], object]

# The attribute that marks a privileged view; functools.wraps copies it to every decorator above.
PRIVILEGED_ATTRIBUTE = "reflect_privileged_gate"


GATE_RESULT_ATTRIBUTE = "reflect_gate_result"


def gate_result(request: HttpRequest) -> object:
    """What the privileged view's gate returned for this request (None without the middleware)."""
    return getattr(request, GATE_RESULT_ATTRIBUTE, None)


def _always(user: User, kwargs: dict[str, Any]) -> bool:
    return True


def privileged(gate: Gate = _always) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Declare a view privileged: signed-in, past its gate, with two-factor authentication.

    The declaration is all a view does: reflect.middleware.TwoFactorMiddleware enforces it for
    every request, and tests/reflect/test_two_factor_everywhere.py walks every URL pattern so
    that a new view is classified or the suite fails (docs/security.md, "Two-factor").
    """

    def mark(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        setattr(view, PRIVILEGED_ATTRIBUTE, gate)
        return view

    return mark


def privileged_gate(view: Callable[..., HttpResponseBase]) -> Gate | None:
    """The gate of a view declared privileged, or None for any other view."""
    gate: Gate | None = getattr(view, PRIVILEGED_ATTRIBUTE, None)
    return gate


def admin_gate(user: User, kwargs: dict[str, Any]) -> bool:
    """The admin is privileged for its staff; anyone else meets the admin's own sign-in page."""
    return user.is_active and user.is_staff


def enforce_two_factor(request: HttpRequest, gate: Gate, kwargs: dict[str, Any]) -> HttpResponse | None:
    """The one rule for privileged pages, in this order: sign in; the gate (a 404 for a stranger);
    then two-factor set-up, unless the account has it or is an exempt demo account."""
    user = acting_user_or_none(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    passed = gate(user, kwargs)
    if passed is False:
        return None
    # What the gate fetched (the pool, the profile), so the view does not fetch it again.
    setattr(request, GATE_RESULT_ATTRIBUTE, passed)
    if _needs_two_factor_setup(user):
        return _two_factor_setup_redirect(request)
    return None


def _login_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def two_factor_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Supervisors' and commissioners' areas need two-factor authentication set up first."""
    return privileged()(_login_required(view))


def _pool_gate(user: User, kwargs: dict[str, Any]) -> Pool:
    return access_pool(user, kwargs["pool_id"])


def commissioner_area(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A pool's pages: the pool is checked first (a stranger gets the same 404 as for a pool
    that does not exist), then its commissioner must have two-factor authentication."""

    @wraps(view)
    def wrapped(request: HttpRequest, pool_id: int, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = acting_user_or_none(request)
        if user is None:
            return redirect_to_login(request.get_full_path())
        pool = gate_result(request)
        if not (isinstance(pool, Pool) and pool.pk == pool_id):
            pool = access_pool(user, pool_id)
        return view(request, pool, *args, **kwargs)

    return privileged(_pool_gate)(wrapped)
