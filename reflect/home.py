"""The home page's "what you can do next", by role.

Each app registers a builder for the roles it owns (the supervision app adds the
supervisor's panel), so the core never imports the apps built on it (docs/architecture.md).
Every builder gets the person's roles, read once for the request with the navigation bar's
(reflect/navigation.py), so a panel for a role the person does not have costs no query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reflect.models import Pool, User
from reflect.navigation import Roles, RowFact
from reflect.queries import pools_commissioned_by

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from reflect.queries import OrganisationCount


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    description: str = ""
    # A button that posts to ``url`` (a one-click choice, such as "Do not ask me again").
    post: bool = False


@dataclass(frozen=True)
class HomePanel:
    role: str
    title: str
    steps: list[NextStep] = field(default_factory=list)
    order: int = 50
    # What to do next, in a sentence, when the links alone do not say it.
    intro: str = ""


PanelBuilder = Callable[[User, Roles], list[HomePanel]]
# A yes-or-no about the person a panel asks before its own query (is a place held for them?),
# asked in the roles' one row: most people have nothing waiting, and then the panel costs nothing.
HomeFact = RowFact
_builders: list[PanelBuilder] = []
_facts: dict[str, HomeFact] = {}


def register_home_panels(builder: PanelBuilder) -> PanelBuilder:
    if builder not in _builders:
        _builders.append(builder)
    return builder


def register_home_fact(name: str, fact: HomeFact) -> None:
    """``fact(person_id, now, today)`` is an expression for the person's own row, such as
    ``Exists(...)``, with the time taken from ``now`` and ``today`` (navigation.RowFact); the
    panels read its answer from ``roles.facts[name]``."""
    _facts[name] = fact


def home_facts() -> dict[str, HomeFact]:
    return dict(_facts)


def home_panels(user: User, roles: Roles) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for builder in _builders:
        panels.extend(builder(user, roles))
    return sorted(panels, key=lambda p: p.order)


def commissioned_pools(user: User, roles: Roles) -> list[WithAnnotations[Pool, OrganisationCount]]:
    """The pools this person commissions, by name, each with its organisation count: read once
    for the two panels that list them (the pools, and their reflective groups)."""
    if not roles.facts.get("pools"):
        return []
    if "pools" not in roles.read:
        roles.read["pools"] = list(pools_commissioned_by(user).order_by("name", "pk"))
    pools: list[WithAnnotations[Pool, OrganisationCount]] = roles.read["pools"]
    return pools
