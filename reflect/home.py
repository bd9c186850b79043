"""The home page's "what you can do next", by role.

Each app registers a builder for the roles it owns (the supervision app adds the
supervisor's panel), so the core never imports the apps built on it (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reflect.models import User


@dataclass(frozen=True)
class NextStep:
    label: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class HomePanel:
    role: str
    title: str
    steps: list[NextStep] = field(default_factory=list)
    order: int = 50
    # What to do next, in a sentence, when the links alone do not say it.
    intro: str = ""


PanelBuilder = Callable[[User], list[HomePanel]]
_builders: list[PanelBuilder] = []


def register_home_panels(builder: PanelBuilder) -> PanelBuilder:
    if builder not in _builders:
        _builders.append(builder)
    return builder


def home_panels(user: User) -> list[HomePanel]:
    panels: list[HomePanel] = []
    for builder in _builders:
        panels.extend(builder(user))
    return sorted(panels, key=lambda p: p.order)
