"""``/calendar/``: the person's private feed address, how to subscribe, and the feed itself."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_POST, require_safe

from reflect.access import acting_user
from scheduling.group_access import schedule_group_of_staff
from scheduling.group_queries import groups_open_to
from scheduling.services import calendar_feed


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    feed = calendar_feed.feed_for(user)
    url = calendar_feed.feed_url(feed)
    schedules = [
        {"group": group, "url": calendar_feed.group_schedule_url(feed, group)} for group in groups_open_to(user)
    ]
    return render(
        request,
        "scheduling/calendar.html",
        {"feed_url": url, "webcal_url": _webcal(url), "schedules": schedules},
    )


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


@require_POST
@login_required
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    calendar_feed.regenerate_feed(acting_user(request))
    messages.success(
        request, "Your calendar has a new address. The old one no longer works: subscribe again with the new one."
    )
    return redirect("calendar")


@require_safe  # GET, and HEAD from calendar apps checking for changes
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, by its secret address alone (calendar apps cannot sign in). A revoked or
    unknown token is a 404, like any address that does not exist."""
    feed = calendar_feed.feed_by_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    return _calendar_response(request, calendar_feed.build_feed(feed.user), "reflect.ics")


@require_safe
def group_schedule_view(request: HttpRequest, token: str, group_id: int) -> HttpResponse:
    """A group's dates, by the person's own secret address: it stops when they leave the pool's
    organisations or make a new address, and is a 404 for a group outside their pools."""
    feed = calendar_feed.feed_by_token(token)
    group = schedule_group_of_staff(feed.user, group_id) if feed is not None else None
    if group is None:
        raise Http404("No such calendar.")
    return _calendar_response(request, calendar_feed.build_group_schedule(group), f"reflect-group-{group.pk}.ics")


def _calendar_response(request: HttpRequest, built: calendar_feed.Feed, filename: str) -> HttpResponse:
    # Whole seconds: HTTP dates have no fractions, so If-Modified-Since could never match.
    last_modified = int(built.last_modified.timestamp()) if built.last_modified else None
    unchanged = get_conditional_response(request, etag=built.etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    response = HttpResponse(built.body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = built.etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
