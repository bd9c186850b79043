"""Who may see what. Every object URL fetches through here: anything else is a 404.

``access_<noun>(user, pk)`` returns the object when the user may see it and raises Http404
otherwise — so a stranger cannot even learn that the object exists (DESIGN.md §4).
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
from django.shortcuts import redirect
from django.urls import reverse

from reflect.models import Invitation, Membership, Organisation, Pool, User


def acting_user(request: HttpRequest) -> User:
    """The signed-in person behind a view that lets only them in (``login_required`` or one of
    the area decorators): ``request.user`` is typed as possibly anonymous, this is not."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")  # unreachable behind login_required
    return user


def access_pool(user: User, pool_id: int) -> Pool:
    pool = Pool.objects.filter(pk=pool_id, commissioners=user).first() if user.is_authenticated else None
    if pool is None:
        raise Http404("No such pool.")
    return pool


def access_organisation(user: User, organisation_id: int) -> tuple[Organisation, Membership]:
    """An organisation the user is a current member of, with their membership."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(organisation_id=organisation_id, user=user, left_at__isnull=True)
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
    membership = (
        Membership.objects.select_related("user")
        .filter(pk=membership_id, organisation=organisation, left_at__isnull=True)
        .first()
    )
    if membership is None:
        raise Http404("No such member.")
    return membership


def access_pool_invitation(pool: Pool, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(pk=invitation_id, pool=pool).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def access_staff_invitation(organisation: Organisation, invitation_id: int) -> Invitation:
    invitation = Invitation.objects.filter(pk=invitation_id, organisation=organisation).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


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


def two_factor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Supervisors' and commissioners' areas need two-factor authentication set up first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if _needs_two_factor_setup(user):
            return _two_factor_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapped


def commissioner_area(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A pool's pages: the pool is checked first (a stranger gets the same 404 as for a pool
    that does not exist), then its commissioner must have two-factor authentication."""

    @wraps(view)
    def wrapped(request: HttpRequest, pool_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        pool = access_pool(user, pool_id)
        if _needs_two_factor_setup(user):
            return _two_factor_setup_redirect(request)
        return view(request, pool, *args, **kwargs)

    return wrapped
