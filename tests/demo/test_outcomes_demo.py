"""The demo's outcome answers (demo/outcomes.py): seeding again adds nothing and never fails."""

from __future__ import annotations

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from demo.outcomes import DEMO_STAFF, seed_outcomes
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.services.invitations import decline_invitation, queue_outcome_invitations, waiting_for
from outcomes.services.responses import record_response, refusal_to_answer
from tests.factories.core import OrganisationFactory, PoolFactory, staff_of
from tests.outcomes.helpers import DISTINCTIVE

pytestmark = pytest.mark.django_db


def pool_begun_three_months_ago():
    """A pool whose members' first round (within 40 days of its start) has come, and whose second
    (six months on) has not."""
    start = (timezone.localdate() - datetime.timedelta(days=90)).replace(day=1)
    return PoolFactory(starts_on=start, ends_on=start.replace(year=start.year + 1) - datetime.timedelta(days=1))


def test_seeding_twice_skips_a_pool_that_has_invitations_but_no_answers() -> None:
    """The review's crash: a pool whose only round so far is the demo staff member's, left open
    for the walk-through, has an invitation and no answer; a second seed wrote the invitation
    again and broke its unique constraint."""
    pool = pool_begun_three_months_ago()
    staff_of(OrganisationFactory(in_pool=pool), email=DEMO_STAFF)
    seed_outcomes(io.StringIO())
    assert list(OutcomeInvitation.objects.values_list("round", "status")) == [(0, InvitationStatus.OPEN)]
    assert not OutcomeResponse.objects.exists()
    out = io.StringIO()
    seed_outcomes(out)
    assert out.getvalue() == "Outcome answers: 0 added.\n"
    assert OutcomeInvitation.objects.count() == 1


def test_a_pool_the_daily_task_already_asked_is_left_alone() -> None:
    """After the beat task has asked someone (an invitation, no answer yet), seeding adds nothing."""
    pool = pool_begun_three_months_ago()
    staff_of(OrganisationFactory(in_pool=pool))
    queue_outcome_invitations()
    seed_outcomes(io.StringIO())
    seed_outcomes(io.StringIO())
    assert OutcomeInvitation.objects.count() == 1 and not OutcomeResponse.objects.exists()


def test_the_demo_staff_member_has_only_their_latest_round_waiting_and_answering_it_ends_the_wait() -> None:
    """The usability test's loop on the demo's own data: two rounds seeded (the older answered or
    declined), the latest left open. Only it is waiting; declined and then answered, nothing is —
    the older, declined round never comes back. For everyone seeded, a round is waiting exactly
    when it can be answered."""
    start = (timezone.localdate() - relativedelta(months=8)).replace(day=1)
    pool = PoolFactory(starts_on=start, ends_on=start + relativedelta(years=2))
    organisation = OrganisationFactory(in_pool=pool)
    staff = staff_of(organisation, email=DEMO_STAFF)
    for _ in range(7):
        staff_of(organisation)
    seed_outcomes(io.StringIO())
    for invitation in OutcomeInvitation.objects.select_related("person"):
        listed = [i.pk for i, _ in waiting_for(invitation.person)]
        assert (invitation.pk in listed) == (refusal_to_answer(invitation) is None)
    older, latest = OutcomeInvitation.objects.filter(person=staff).order_by("round")
    assert (older.round, latest.round, latest.status) == (0, 1, InvitationStatus.OPEN)
    assert [i.pk for i, _ in waiting_for(staff)] == [latest.pk]
    decline_invitation(latest, acting_user=staff)
    assert [i.pk for i, _ in waiting_for(staff)] == [latest.pk]
    record_response(latest, acting_user=staff, answers=DISTINCTIVE)
    assert waiting_for(staff) == []
