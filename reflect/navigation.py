"""The navigation bar: each role's main areas, one link each, with the current one marked.

The core knows staff, leads and commissioners; the apps add their own roles (a supervisor, a
facilitator) and their links through the registries below, filled in their ``AppConfig.ready()``,
so the core never imports the apps built on it (docs/architecture.md). However many roles there
are, finding a person's roles costs two small queries: their memberships, and one row of
themselves annotated with each registered role's ``Exists`` (docs/performance.md). A request
reads them once (``roles_for``): the navigation and the home page's panels share them. That
row's SQL is the same for everyone but for their id and the time, so the ORM builds it once per
process (reflect/statements.py): building it cost more than running it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Count, OuterRef, Subquery
from django.db.models.expressions import BaseExpression
from django.db.models.query import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from reflect.models import Membership, PoolCommissioner, User
from reflect.statements import fetch_row


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int
    # Addresses starting with this belong to the item's section (the item's own URL if empty).
    section: str = ""

    @property
    def prefix(self) -> str:
        return self.section or self.url


@dataclass(frozen=True)
class Roles:
    """What the navigation knows of a person: their organisations and their registered roles."""

    organisations: tuple[tuple[int, bool], ...] = ()  # (organisation id, is lead)
    facts: dict[str, Any] = field(default_factory=dict)
    is_admin: bool = False  # the platform's administrators (Django's staff flag)
    # The same current memberships, with their organisations, for the home page's panels.
    memberships: tuple[Membership, ...] = ()
    # What an app read once for this person and request (a supervisor's profile, say), by name.
    read: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_staff_member(self) -> bool:
        return bool(self.organisations)

    @property
    def led(self) -> list[int]:
        return [pk for pk, is_lead in self.organisations if is_lead]


RoleProbe = Callable[[], BaseExpression]
# A page's own question about the person, asked in the same row: an expression on their own User
# row, given their id, the time now and today's date (it must read the time from these, never
# from the clock itself: the row's SQL is kept, reflect/statements.py).
RowFact = Callable[[int, datetime.datetime, datetime.date], BaseExpression]
NavBuilder = Callable[[Roles], list[NavItem]]
_probes: dict[str, RoleProbe] = {}
_builders: list[NavBuilder] = []


def register_role(name: str, probe: RoleProbe) -> None:
    """``probe()`` is an expression on the person's own ``User`` row (``OuterRef("pk")`` is them)."""
    _probes[name] = probe


def register_nav_items(builder: NavBuilder) -> NavBuilder:
    if builder not in _builders:
        _builders.append(builder)
    return builder


def roles_of(user: User, more: Mapping[str, RowFact] | None = None) -> Roles:
    """``more`` adds a page's own questions about the person to the same row (the home page's
    "is anything waiting?", reflect/home.py): one query, however many there are."""
    more = more or {}
    memberships = tuple(
        Membership.objects.select_related("organisation")
        .current()
        .filter(user=user)
        .only("is_lead", "organisation__name")  # what the menu and the home page's panels show
        .order_by("organisation_id")
    )
    facts = (
        fetch_row(
            ("roles", *_probes, "and", *more),
            partial(_row_of_facts, more),
            person=user.pk,
            now=timezone.now(),
            today=timezone.localdate(),
        )
        or {}
    )
    return Roles(
        organisations=tuple((m.organisation_id, m.is_lead) for m in memberships),
        facts=facts,
        is_admin=user.is_staff,
        memberships=memberships,
    )


def _row_of_facts(
    more: Mapping[str, RowFact], person: int, now: datetime.datetime, today: datetime.date
) -> QuerySet[User, dict[str, Any]]:
    probes = {name: probe() for name, probe in _probes.items()}
    probes |= {name: fact(person, now, today) for name, fact in more.items()}
    return User.objects.filter(pk=person).annotate(**probes).values(*probes)


def roles_for(request: HttpRequest, user: User, more: Mapping[str, RowFact] | None = None) -> Roles:
    """The person's roles, read once per request: the page's view (first, with any ``more``)
    and its navigation bar both ask, and a second reading would cost the same queries again."""
    cached: tuple[int, Roles] | None = getattr(request, "_reflect_roles", None)
    if cached is None or cached[0] != user.pk:
        cached = (user.pk, roles_of(user, more))
        request._reflect_roles = cached  # type: ignore[attr-defined]
    return cached[1]


def nav_items(user: User, path: str, roles: Roles | None = None) -> list[dict[str, object]]:
    """The links for this person, in order, each marked ``current`` when ``path`` is in its
    section (the longest section that holds the path wins; Home only for the home page)."""
    roles = roles or roles_of(user)
    items: dict[str, NavItem] = {}
    for builder in _builders:
        for item in builder(roles):
            items.setdefault(item.url, item)
    ordered = sorted(items.values(), key=lambda item: item.order)
    current = max(
        (item for item in ordered if path == item.prefix or (item.prefix != "/" and path.startswith(item.prefix))),
        key=lambda item: len(item.prefix),
        default=None,
    )
    return [
        {"label": item.label, "url": item.url, "current": item is current, "page": item is current and path == item.url}
        for item in ordered
    ]


def _commissioned() -> Subquery:
    return Subquery(
        PoolCommissioner.objects.filter(user=OuterRef("pk"))
        .values("user")
        .annotate(pools=Count("pk"))
        .values("pools")[:1]
    )


def _first_commissioned() -> Subquery:
    return Subquery(PoolCommissioner.objects.filter(user=OuterRef("pk")).order_by("pool_id").values("pool_id")[:1])


register_role("pools", _commissioned)
register_role("first_pool", _first_commissioned)


@register_nav_items
def core_nav(roles: Roles) -> list[NavItem]:
    items = [NavItem("Home", reverse("home"), 0, section="/")]
    if roles.is_staff_member:
        if len(roles.organisations) == 1:
            organisation_id = roles.organisations[0][0]
            label = "Your organisation"
            url = reverse("organisation_detail", args=[organisation_id])
        else:
            label, url = "Your organisations", reverse("organisation_list")
        items.append(NavItem(label, url, 60, section=reverse("organisation_list")))
    pools = roles.facts.get("pools") or 0
    if pools == 1:
        # One pool, the usual case: its page and its dashboard are one click from anywhere.
        pool_id = roles.facts["first_pool"]
        items.append(NavItem("Your pool", reverse("pool_detail", args=[pool_id]), 10, section="/pools/"))
        items.append(NavItem("Dashboard", reverse("pool_dashboard", args=[pool_id]), 11))
    elif pools:
        items.append(NavItem("Your pools", reverse("pool_list"), 10, section="/pools/"))
    if roles.is_admin:
        items.append(NavItem("Admin", reverse("admin:index"), 80, section="/admin/"))
    items.append(NavItem("Your account", reverse("account"), 90, section="/account/"))
    return items
