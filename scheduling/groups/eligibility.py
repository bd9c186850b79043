"""Who may take a place in a reflective group's session, and when: the checks that booking, the
waitlist and the session's page share. Each refuses with a DomainError saying why, in words
the person can act on.
"""

from __future__ import annotations

import datetime

from reflect import wording
from reflect.errors import DomainError
from reflect.models import Membership, Organisation, User
from scheduling.groups.notices import session_when
from scheduling.models import CohortMembership, GroupKind, GroupSession, ReflectiveGroup, SessionStatus


def eligible_organisation(session: GroupSession, user: User) -> Organisation:
    """The organisation through which the person may join this group, or a DomainError saying why not."""
    group = session.group
    # The usual answer in one query: a current membership of an organisation in the group's
    # pool (and, for a restricted group, one of those chosen). Only a refusal reads more.
    memberships = Membership.objects.current().filter(user=user, organisation__pools=group.pool_id)
    if not group.all_pool_organisations:
        memberships = memberships.filter(
            organisation__in=ReflectiveGroup.eligible_organisations.through.objects.filter(
                reflectivegroup_id=group.pk
            ).values("organisation_id")
        )
    membership = memberships.select_related("organisation").order_by("organisation__name", "pk").first()
    if membership is not None:
        return membership.organisation
    organisations = [
        m.organisation
        for m in Membership.objects.current()
        .filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    ]
    if not organisations:
        raise DomainError("Reflective groups are for staff of the pool's organisations, and you are not staff of one.")
    names = ", ".join(organisation.name for organisation in organisations)
    in_pool = set(group.pool.organisations.values_list("pk", flat=True))
    if not any(organisation.pk in in_pool for organisation in organisations):
        raise DomainError(f"This group is for organisations in {group.pool.name}, and {names} is not one of them.")
    raise DomainError(
        f"This group is open to chosen organisations in {group.pool.name} only, and {names} is not one of them."
    )


def check_cohort_member(session: GroupSession, user: User) -> None:
    """A cohort's sessions are for its members: anyone else applies to join a cohort."""
    group = session.group
    if (
        group.kind == GroupKind.COHORT
        and not CohortMembership.objects.filter(group=group, user=user, left_at__isnull=True).exists()
    ):
        raise DomainError(
            f"{group.title} is a cohort that meets with the same members each time. "
            "Apply to join a cohort and the commissioner will give you a place in one."
        )


def check_session_open(session: GroupSession, now: datetime.datetime) -> None:
    """The session can be booked now: not cancelled, not begun, and its booking window open."""
    group = session.group
    if session.status == SessionStatus.CANCELLED:
        raise DomainError(f"The session on {session_when(session)} has been cancelled.")
    if session.starts_at <= now:
        raise DomainError(f"The session on {session_when(session)} has already started, so it cannot be booked.")
    opens_at = session.starts_at - datetime.timedelta(days=group.booking_opens_days)
    if now < opens_at:
        raise DomainError(
            f"Booking for the session on {session_when(session)} opens on {wording.day(opens_at, group.time_zone)}."
        )
