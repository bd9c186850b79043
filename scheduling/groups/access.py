"""Who may see which reflective-group page; anything else is a 404 (docs/architecture.md, "Object-level access")."""

from __future__ import annotations

from typing import TypedDict

from django.db.models import QuerySet
from django.http import Http404

from reflect.models import Pool, PoolOrganisation, User, current_membership
from scheduling.models import GroupSession, Place, ReflectiveGroup, SessionStatus, runs_group


class PoolIdRow(TypedDict):
    pool_id: int


def staff_pools(user: User | int) -> QuerySet[PoolOrganisation, PoolIdRow]:
    """The pools whose organisations the person is current staff of, as ``pool_id`` values (to
    use as a subquery: one round trip with what it filters)."""
    return PoolOrganisation.objects.filter(current_membership("organisation__memberships", user=user)).values("pool_id")


def pool_ids_of_staff(user: User) -> set[int]:
    return {row["pool_id"] for row in staff_pools(user)}


def schedule_group_of_staff(user: User, group_id: int) -> ReflectiveGroup | None:
    """A group of one of the person's pools, whose schedule (no names, no place) they may see —
    the same people who may read its sessions' pages."""
    return (
        ReflectiveGroup.objects.filter(pk=group_id, pool_id__in=staff_pools(user))
        .select_related("facilitator__user", "host")
        .first()
    )


def access_group(user: User, group_id: int) -> ReflectiveGroup:
    """A group of one of the person's pools, for its own page (booking still checks eligibility)."""
    group = schedule_group_of_staff(user, group_id)
    if group is None:
        raise Http404("No such group.")
    return group


def access_staff_pool(user: User, pool_id: int) -> Pool:
    """A pool the person is current staff in (through one of its organisations); else a 404."""
    if pool_id not in pool_ids_of_staff(user):
        raise Http404("No such pool.")
    return Pool.objects.get(pk=pool_id)


def access_session(user: User, session_id: int, *, for_action: bool = False) -> GroupSession:
    """A session of a group in one of the person's pools (booking still checks eligibility).

    ``for_action``: the session for a POST that a service then locks and re-reads; it joins
    the group and its pool (booking's ledger entry needs the pool) but not the facilitator,
    whose joins tripled the query's planning (every booking pays it).
    """
    # One query: the pool check is a subquery, not a second round trip (every booking pays it).
    related = (
        ("group", "group__pool") if for_action else ("group", "group__pool", "group__facilitator__user", "group__host")
    )
    session = (
        GroupSession.objects.select_related(*related)
        .filter(pk=session_id, group__pool_id__in=staff_pools(user))
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def access_facilitated_session(user: User, session_id: int) -> GroupSession:
    """A session of a group the person facilitates."""
    session = (
        GroupSession.objects.select_related("group", "group__pool")
        .filter(runs_group(user, via="group__"), pk=session_id)
        .exclude(status=SessionStatus.CANCELLED)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def access_register_place(session: GroupSession, place_id: int) -> Place:
    place = Place.objects.select_related("user").filter(pk=place_id, session=session).first()
    if place is None:
        raise Http404("No such place.")
    return place


def access_pool_group(pool: Pool, group_id: int) -> ReflectiveGroup:
    """A group of the commissioner's pool (the pool was checked by ``commissioner_area``)."""
    group = ReflectiveGroup.objects.filter(pk=group_id, pool=pool).select_related("facilitator__user", "host").first()
    if group is None:
        raise Http404("No such group.")
    return group


def access_pool_session(pool: Pool, session_id: int) -> GroupSession:
    session = (
        GroupSession.objects.select_related("group", "group__pool").filter(pk=session_id, group__pool=pool).first()
    )
    if session is None:
        raise Http404("No such session.")
    return session
