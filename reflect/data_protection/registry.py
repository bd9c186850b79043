"""The registries apps fill in at start-up: exporters, exclusions, erasure steps and blockers."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Field, Model, Q, QuerySet

from reflect.models import User

# Models that belong to one person although they do not point at the user themselves: what
# points at *them* is about that person too, so the coverage test follows these links as well.
REACHED_THROUGH: dict[str, str] = {
    # A supervisor's profile is theirs: their availability, busy calendar, requests,
    # agreements and the groups they facilitate hang off it.
    "supervision.supervisorprofile": "a supervisor's own profile",
    # The busy calendar imported from the supervisor's own calendar, and its busy times.
    "scheduling.busycalendarfeed": "a supervisor's own calendar feed",
    # allauth's addresses: confirmation keys hang off each address.
    "account.emailaddress": "a person's e-mail addresses",
}

# --- Export ------------------------------------------------------------------------------------

Row = dict[str, Any]
# "path.to.value", or (label, "path.to.value"), or (label, a function of the row).
FieldSpec = str | tuple[str, str] | tuple[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class Exporter:
    key: str
    title: str
    models: tuple[str, ...]  # model labels ("scheduling.place") this section covers
    rows: Callable[[User], list[Row]]
    order: int = 50


_exporters: dict[str, Exporter] = {}
_excluded: dict[str, str] = {}


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label_lower


def _value(obj: Any, path: str | Callable[[Any], Any]) -> Any:
    if callable(path):
        return path(obj)
    for name in path.split("."):
        if obj is None:
            return None
        display = getattr(obj, f"get_{name}_display", None)
        obj = display() if display is not None else getattr(obj, name)
    return obj


def plain(value: Any) -> Any:
    """A value as JSON can hold it: times in ISO 8601 (UTC), decimals as text, objects by name."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return str(value)


def _field_label(model: type[Model], path: str) -> str:
    name = path.split(".")[0]
    try:
        field = model._meta.get_field(name)
    except Exception:
        field = None
    # A name that is no field, or a reverse relation (which has no verbose name): the name itself.
    label = str(field.verbose_name) if isinstance(field, Field) else name.replace("_", " ")
    if "." in path:
        label = f"{label} ({path.split('.')[-1].replace('_', ' ')})"
    return label[:1].upper() + label[1:]


def register_export(
    model: type[Model],
    title: str,
    queryset: Callable[[User], QuerySet],
    fields: Sequence[FieldSpec],
    *,
    also_covers: Iterable[type[Model] | str] = (),
    order: int = 50,
) -> Exporter:
    """One line per model: what to export about a person, from which rows, which fields."""
    specs = [(spec if isinstance(spec, tuple) else (_field_label(model, spec), spec)) for spec in fields]

    def rows(user: User) -> list[Row]:
        return [{label: plain(_value(obj, path)) for label, path in specs} for obj in queryset(user)]

    exporter = Exporter(
        key=_label(model),
        title=title,
        models=(_label(model), *(_label(m) for m in also_covers)),
        rows=rows,
        order=order,
    )
    _exporters[exporter.key] = exporter
    return exporter


def exclude_from_export(model: type[Model] | str, reason: str) -> None:
    """Say why a model that points at a person is deliberately left out of the export."""
    _excluded[_label(model)] = reason


def exporters() -> list[Exporter]:
    return sorted(_exporters.values(), key=lambda e: (e.order, e.title))


def covered_models() -> set[str]:
    return {label for exporter in _exporters.values() for label in exporter.models}


def excluded_models() -> dict[str, str]:
    return dict(_excluded)


# --- Erasure -----------------------------------------------------------------------------------

REDACTED = "[erased]"


@dataclass
class Erasure:
    """What an erasure step needs: who, when, and the strings that identify them.

    ``phrases`` (addresses, full name, phone, postal address) are removed wherever they appear;
    ``names`` (first and last name alone) only where a value is exactly that name, or — in
    text linked to the person — as a whole word, so a colleague who shares a first name is
    not scrubbed from unrelated messages.
    """

    user: User
    now: datetime.datetime
    phrases: list[str]
    names: list[str]
    placeholder_email: str
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def scrub_text(self, text: str, *, whole_words: bool = True) -> str:
        if not text:
            return text
        for phrase in self.phrases:
            text = re.sub(re.escape(phrase), REDACTED, text, flags=re.IGNORECASE)
        if whole_words:
            for name in self.names:
                text = re.sub(rf"\b{re.escape(name)}\b", REDACTED, text, flags=re.IGNORECASE)
        elif text.strip().lower() in {n.lower() for n in self.names}:
            return REDACTED
        return text

    def scrub_json(self, value: Any, *, whole_words: bool = False) -> Any:
        if isinstance(value, str):
            return self.scrub_text(value, whole_words=whole_words)
        if isinstance(value, dict):
            return {k: self.scrub_json(v, whole_words=whole_words) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(v, whole_words=whole_words) for v in value]
        return value

    def mentions(self, *fields: str) -> Q:
        """Rows where any of these fields contains one of the identifying strings."""
        query = Q(pk__in=[])
        for name in fields:
            for text in [*self.phrases, *self.names]:
                query |= Q(**{f"{name}__icontains": text})
        return query


ErasureStep = Callable[[Erasure], None]


@dataclass(frozen=True)
class Blocker:
    """Something the person must do before their account can be erased, and where to do it."""

    message: str
    link: str = ""
    link_text: str = ""


_steps: list[tuple[int, str, ErasureStep]] = []
_blockers: list[Callable[[User], list[Blocker]]] = []


def register_erasure_step(order: int, name: str) -> Callable[[ErasureStep], ErasureStep]:
    """Steps run in ``order`` inside the erasure's transaction, the user row already locked.

    Apps' steps (cancel future places, unlist a profile) run before the core's (order 90),
    which ends memberships and anonymises the account itself.
    """

    def decorator(step: ErasureStep) -> ErasureStep:
        if all(existing != name for _, existing, _s in _steps):
            _steps.append((order, name, step))
            _steps.sort(key=lambda item: (item[0], item[1]))
        return step

    return decorator


def erasure_steps() -> list[tuple[str, ErasureStep]]:
    return [(name, step) for _, name, step in _steps]


def register_erasure_blocker(check: Callable[[User], list[Blocker]]) -> Callable[[User], list[Blocker]]:
    if check not in _blockers:
        _blockers.append(check)
    return check


def erasure_blockers(user: User) -> list[Blocker]:
    return [blocker for check in _blockers for blocker in check(user)]


# --- Retention ---------------------------------------------------------------------------------

RoleFilter = Callable[[QuerySet], QuerySet]
_role_filters: list[RoleFilter] = []


def register_still_active(role_filter: RoleFilter) -> RoleFilter:
    """Apps narrow the retention task's candidates: ``role_filter(users)`` drops the people who
    still hold one of the app's roles (a supervisor with a profile, say), whatever their
    memberships say."""
    if role_filter not in _role_filters:
        _role_filters.append(role_filter)
    return role_filter


def without_active_roles(users: QuerySet) -> QuerySet:
    for role_filter in _role_filters:
        users = role_filter(users)
    return users
