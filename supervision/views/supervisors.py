"""Supervisors' own pages (behind two-factor authentication), and the directory that leads
and staff browse (docs/matching.md, docs/product.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from reflect.access import acting_user, two_factor_required
from reflect.errors import DomainError
from reflect.models import User
from supervision.access import access_supervisor, may_browse_directory
from supervision.forms import DirectoryFilterForm, SupervisorProfileForm
from supervision.models import SupervisorProfile
from supervision.queries import listed_supervisors, supervisors_with_hours_left
from supervision.services.matches import area_key
from supervision.services.photos import image_response
from supervision.services.profiles import save_supervisor_profile

if TYPE_CHECKING:
    from supervision.queries import SupervisorWithHoursLeft


def _own_profile(user: User) -> SupervisorProfile | None:
    return SupervisorProfile.objects.select_related("verified_by").filter(user=user).first()


@two_factor_required
def my_profile(request: HttpRequest) -> HttpResponse:
    profile = supervisors_with_hours_left().filter(user=acting_user(request)).first()
    if profile is None:
        return redirect("supervisor_profile_edit")
    return render(
        request,
        "supervision/supervisors/my_profile.html",
        {"profile": profile, "communities": profile.communities.all()},
    )


@two_factor_required
def edit_profile(request: HttpRequest) -> HttpResponse:
    """Create ("become a supervisor") or edit the signed-in person's own profile."""
    profile = _own_profile(acting_user(request))
    form = SupervisorProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        communities = data.pop("communities")
        was_verified = profile is not None and profile.is_verified
        try:
            saved = save_supervisor_profile(acting_user=acting_user(request), communities=communities, **data)
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if was_verified and not saved.is_verified:
                messages.warning(
                    request, "Your registration details changed, so an administrator will check them again."
                )
            else:
                messages.success(request, "Your profile is saved.")
            return redirect("supervisor_profile")
    return render(
        request, "supervision/supervisors/edit_profile.html", {"form": form, "profile": profile, "multipart": True}
    )


def _filtered(profiles: list[SupervisorWithHoursLeft], data: dict) -> list[SupervisorWithHoursLeft]:
    """The directory's filters, on the page's one query's rows (specialisms and languages are
    JSON lists, which SQLite cannot search)."""
    if data.get("specialism"):
        profiles = [p for p in profiles if data["specialism"] in p.specialisms]
    if data.get("offer"):
        profiles = [p for p in profiles if data["offer"] in p.offers]
    if data.get("delivery") == "online":
        profiles = [p for p in profiles if p.online]
    elif data.get("delivery") == "in_person":
        profiles = [p for p in profiles if p.in_person_areas]
    if data.get("area"):
        wanted = area_key(data["area"])
        profiles = [p for p in profiles if wanted in {area_key(a) for a in p.in_person_areas}]
    if data.get("language"):
        wanted = data["language"].strip().casefold()
        profiles = [p for p in profiles if wanted in {lang.casefold() for lang in p.languages}]
    if data.get("has_capacity"):
        profiles = [p for p in profiles if p.hours_left > 0 and p.accepting_organisations]
    return profiles


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Leads and staff of any organisation (and admins) browse verified, listed supervisors."""
    user = acting_user(request)
    if not may_browse_directory(user):
        raise Http404("No such page.")
    form = DirectoryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    profiles = _filtered(list(listed_supervisors()), data)
    return render(
        request, "supervision/supervisors/directory.html", {"form": form, "profiles": profiles, "filtered": bool(data)}
    )


@login_required
def supervisor_photo(request: HttpRequest, supervisor_id: int) -> FileResponse:
    profile = access_supervisor(acting_user(request), supervisor_id)
    return image_response(profile.photo, cache_control="private, max-age=3600")


@login_required
def supervisor_detail(request: HttpRequest, supervisor_id: int) -> HttpResponse:
    user = acting_user(request)
    profile = access_supervisor(user, supervisor_id)
    is_self = profile.user_id == user.pk
    return render(
        request,
        "supervision/supervisors/detail.html",
        {"profile": profile, "communities": profile.communities.all(), "is_self": is_self},
    )
