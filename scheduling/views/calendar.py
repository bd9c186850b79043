"""``/calendar/``: the person's private feed address, how to subscribe, and the feed itself."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_POST, require_safe

from reflect.access import acting_user
from scheduling.groups.access import schedule_group_of_staff
from scheduling.groups.queries import groups_open_to
from scheduling.services import calendar_feed


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """How to subscribe. The address itself is not here: only its hash is kept, so it is shown
    once, on the page that makes it (``calendar_regenerate``; docs/security.md, "Calendars")."""
    user = acting_user(request)
    return render(
        request,
        "scheduling/calendar.html",
        {"has_feed": calendar_feed.feed_of(user) is not None, "groups": groups_open_to(user)},
    )


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


@require_POST
@login_required
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    """Make a new link and show it, this once: the answer to the POST itself (not a redirect to
    a page that could show it again), never stored by the browser or a proxy."""
    user = acting_user(request)
    had_feed = calendar_feed.feed_of(user) is not None
    token = calendar_feed.regenerate_feed(user).token
    url = calendar_feed.feed_url(token)
    schedules = [
        {"group": group, "url": calendar_feed.group_schedule_url(token, group)} for group in groups_open_to(user)
    ]
    response = render(
        request,
        "scheduling/calendar.html",
        {
            "has_feed": True,
            "replaced": had_feed,
            "feed_url": url,
            "webcal_url": _webcal(url),
            "schedules": schedules,
        },
    )
    add_never_cache_headers(response)
    return response


@require_safe  # GET, and HEAD from calendar apps checking for changes
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed, by its secret address alone (calendar apps cannot sign in). A revoked or
    unknown token is a 404, like any address that does not exist."""
    # The token and the version in one statement: a calendar checking for changes gets its 304
    # before the person is read or anything built; otherwise the text of this version, built
    # once and cached.
    now = timezone.now()
    found = calendar_feed.person_feed_version(token, now=now)
    if found is None:
        raise Http404("No such calendar.")
    user_id, version = found
    return _calendar_response(
        request, version, lambda: calendar_feed.feed_body(user_id, version, now=now), "reflect.ics"
    )


@require_safe
def group_schedule_view(request: HttpRequest, token: str, group_id: int) -> HttpResponse:
    """A group's dates, by the person's own secret address: it stops when they leave the pool's
    organisations or make a new address, and is a 404 for a group outside their pools."""
    feed = calendar_feed.feed_by_token(token)
    group = schedule_group_of_staff(feed.user, group_id) if feed is not None else None
    if group is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    version = calendar_feed.group_schedule_version(group, now=now)
    return _calendar_response(
        request,
        version,
        lambda: calendar_feed.group_schedule_body(group, version, now=now),
        f"reflect-group-{group.pk}.ics",
    )


def _calendar_response(
    request: HttpRequest, version: calendar_feed.Version, body: Callable[[], str], filename: str
) -> HttpResponse:
    # Whole seconds: HTTP dates have no fractions, so If-Modified-Since could never match.
    last_modified = int(version.last_modified.timestamp())
    unchanged = get_conditional_response(request, etag=version.etag, last_modified=last_modified)
    if unchanged is not None:
        return unchanged
    response = HttpResponse(body(), content_type="text/calendar; charset=utf-8")
    response["ETag"] = version.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=900"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
