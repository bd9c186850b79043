"""What a person has coming up: the weekly summary's registry.

The core cannot see sessions or bookings (they belong to ``scheduling``), so apps register
two things here, the way they register home-page panels (reflect/home.py):

- an *item provider*: given a person and a week, their upcoming items in it;
- an *audience provider*: the ids of people who get a weekly summary (supervisors come from
  ``supervision``; the core adds organisation leads).

A person with no items in the week is sent nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reflect.models import Membership, User


@dataclass(frozen=True)
class UpcomingItem:
    starts_at: datetime.datetime  # aware
    title: str  # plain words, never another attendee's name nor what the session is about
    url: str = ""


ItemProvider = Callable[[User, datetime.datetime, datetime.datetime], Iterable[UpcomingItem]]
AudienceProvider = Callable[[], Iterable[int]]
_item_providers: list[ItemProvider] = []
_audience_providers: list[AudienceProvider] = []


def register_upcoming_items(provider: ItemProvider) -> ItemProvider:
    if provider not in _item_providers:
        _item_providers.append(provider)
    return provider


def register_weekly_audience(provider: AudienceProvider) -> AudienceProvider:
    if provider not in _audience_providers:
        _audience_providers.append(provider)
    return provider


def upcoming_items(user: User, starts: datetime.datetime, ends: datetime.datetime) -> list[UpcomingItem]:
    items: list[UpcomingItem] = []
    for provider in _item_providers:
        items.extend(item for item in provider(user, starts, ends) if starts <= item.starts_at < ends)
    return sorted(items, key=lambda item: (item.starts_at, item.title))


def weekly_audience() -> set[int]:
    ids: set[int] = set()
    for provider in _audience_providers:
        ids.update(provider())
    return ids


@register_weekly_audience
def organisation_leads() -> Iterable[int]:
    return Membership.objects.leads().values_list("user_id", flat=True)
