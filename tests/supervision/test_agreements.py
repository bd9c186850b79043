"""Requests and agreements: hours fit the allocation and the supervisor's capacity; answers
once; either side ends with notice."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reflect import wording
from reflect.errors import DomainError
from supervision.enums import AgreementStatus, RequestStatus
from supervision.models import SupervisionAgreement
from supervision.queries import months_covered, organisation_hours_left, supervisor_hours_left
from supervision.services.agreements import (
    accept_request,
    decline_request,
    end_agreement,
    send_request,
    withdraw_request,
)
from tests.factories.supervision import SupervisorProfileFactory, allocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_pool_hours() -> str:
    """The world's organisation has 30 hours in ``year_pool`` (tests/supervision/conftest.py)."""
    return "30"


def _send(world, supervisor, hours="1.5", **overrides):
    fields = {
        "acting_user": world.lead,
        "organisation": world.organisation,
        "supervisor": supervisor,
        "pool": world.pool,
        "format": "one_to_one",
        "hours_per_month": Decimal(hours),
        "starts_on": world.pool.starts_on,
        "review_on": world.pool.starts_on + datetime.timedelta(days=90),
        "message": "We run a weekly drama group.",
    }
    return send_request(**{**fields, **overrides})


def test_months_covered_counts_calendar_months_both_ends_included():
    assert months_covered(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31)) == 12
    assert months_covered(datetime.date(2026, 4, 30), datetime.date(2026, 5, 1)) == 2
    assert months_covered(datetime.date(2026, 5, 1), datetime.date(2026, 4, 30)) == 0


def test_accepting_creates_the_agreement_and_takes_the_hours(world, year_pool):
    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("4"))
    request = _send(world, supervisor)
    agreement = accept_request(request, acting_user=supervisor.user, reply="Happy to.")
    request.refresh_from_db()
    assert (request.status, request.reply) == (RequestStatus.ACCEPTED, "Happy to.")
    assert (agreement.organisation, agreement.supervisor, agreement.pool) == (
        world.organisation,
        supervisor,
        world.pool,
    )
    assert (agreement.hours_per_month, agreement.status, agreement.ends_on) == (
        Decimal("1.5"),
        AgreementStatus.ACTIVE,
        None,
    )
    assert supervisor_hours_left(supervisor) == Decimal("2.50")
    # 1.5 hours a month for the pool's 12 months commits 18 of the 30 hours allocated.
    assert organisation_hours_left(year_pool, world.organisation) == Decimal("12.00")


def test_asking_for_more_than_the_allocation_says_how_many_hours_are_left(world, year_pool):
    supervisor = SupervisorProfileFactory()
    with pytest.raises(DomainError) as refused:
        _send(world, supervisor, hours="3")
    assert refused.value.message == (
        f"Harehills Drama has 30 hours of its allocation from Leeds pool not yet promised to a supervision agreement; "
        f"3 hours a month from "
        f"{wording.date(year_pool.starts_on)} to the pool's end needs 36 hours."
    )
    assert refused.value.field == "hours_per_month"


def test_asking_for_more_than_the_supervisor_has_left_says_how_many(world, year_pool):
    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("1"), user__first_name="Ruth")
    with pytest.raises(DomainError) as refused:
        _send(world, supervisor)
    assert refused.value.message == "Ruth Example has 1 hour a month left, fewer than the 1.5 hours asked for."


def test_acceptance_checks_capacity_again_when_it_is_given(world, year_pool):
    """Two requests sent while there was room; the second acceptance finds it gone. (One after
    the other: the simultaneous case, and the locks that hold it, are in
    tests/concurrency/test_agreement_capacity.py with their control.)"""
    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("2"), user__first_name="Ruth")
    first = _send(world, supervisor)
    other_lead_org = world.other_organisation
    from tests.factories.core import add_to_pool

    add_to_pool(world.pool, other_lead_org)
    allocate(world.pool, other_lead_org, "30")
    second = _send(world, supervisor, acting_user=world.outsider, organisation=other_lead_org)
    accept_request(first, acting_user=supervisor.user)
    with pytest.raises(DomainError) as refused:
        accept_request(second, acting_user=supervisor.user)
    assert refused.value.message == "Ruth Example has 0.5 hours a month left, fewer than the 1.5 hours asked for."
    second.refresh_from_db()
    assert second.status == RequestStatus.PENDING
    assert SupervisionAgreement.objects.count() == 1


def test_a_declined_request_cannot_be_accepted(world, year_pool):
    supervisor = SupervisorProfileFactory()
    request = _send(world, supervisor)
    decline_request(request, acting_user=supervisor.user, reply="Full until spring.")
    with pytest.raises(DomainError) as refused:
        accept_request(request, acting_user=supervisor.user)
    assert refused.value.message == "This request was declined, so it cannot be accepted."
    assert SupervisionAgreement.objects.count() == 0


def test_a_withdrawn_request_cannot_be_accepted(world, year_pool):
    supervisor = SupervisorProfileFactory()
    request = _send(world, supervisor)
    withdraw_request(request, acting_user=world.lead)
    with pytest.raises(DomainError) as refused:
        accept_request(request, acting_user=supervisor.user)
    assert refused.value.message == "This request was withdrawn by the organisation, so it cannot be accepted."


def test_only_the_supervisor_asked_can_answer_and_only_the_lead_can_ask(world, year_pool):
    supervisor = SupervisorProfileFactory()
    with pytest.raises(DomainError) as refused:
        _send(world, supervisor, acting_user=world.member)
    assert refused.value.message == "Only the organisation's lead can ask a supervisor."
    request = _send(world, supervisor)
    with pytest.raises(DomainError) as refused:
        accept_request(request, acting_user=SupervisorProfileFactory().user)
    assert refused.value.message == "Only the supervisor asked can accept this request."


def test_an_unverified_or_unlisted_supervisor_cannot_be_asked(world, year_pool):
    with pytest.raises(DomainError) as refused:
        _send(world, SupervisorProfileFactory(verified_at=None))
    assert refused.value.message == "This supervisor is not listed at the moment."
    with pytest.raises(DomainError) as refused:
        _send(world, SupervisorProfileFactory(agrees_non_clinical=False))
    assert refused.value.message == "This supervisor is not listed at the moment."


def test_format_must_be_offered_and_review_after_start(world, year_pool):
    supervisor = SupervisorProfileFactory(offers=["one_to_one"], user__first_name="Ruth")
    with pytest.raises(DomainError) as refused:
        _send(world, supervisor, format="reflective_group")
    assert refused.value.message == "Ruth Example does not offer reflective-group facilitation."
    with pytest.raises(DomainError) as refused:
        _send(world, supervisor, review_on=year_pool.starts_on)
    assert refused.value.message == "The review date must be after the start."


def test_either_side_ends_with_notice_and_the_hours_come_back_after(world, year_pool):
    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("4"))
    agreement = accept_request(_send(world, supervisor), acting_user=supervisor.user)
    today = timezone.localdate()
    end_agreement(agreement, acting_user=world.lead, ends_on=today + datetime.timedelta(days=28), reason="Funding ends")
    agreement.refresh_from_db()
    assert (agreement.status, agreement.ends_on, agreement.ended_by) == (
        AgreementStatus.ACTIVE,
        today + datetime.timedelta(days=28),
        world.lead,
    )
    assert supervisor_hours_left(supervisor) == Decimal("2.50")  # still running until its last day

    second = accept_request(_send(world, supervisor, hours="1"), acting_user=supervisor.user)
    end_agreement(second, acting_user=supervisor.user, ends_on=today)
    second.refresh_from_db()
    assert second.status == AgreementStatus.ENDED
    assert supervisor_hours_left(supervisor) == Decimal("2.50")


def test_ending_is_refused_for_others_and_in_the_past(world, year_pool):
    supervisor = SupervisorProfileFactory()
    agreement = accept_request(_send(world, supervisor), acting_user=supervisor.user)
    with pytest.raises(DomainError) as refused:
        end_agreement(agreement, acting_user=world.member, ends_on=timezone.localdate())
    assert refused.value.message == "Only the supervisor or the organisation's lead can end this agreement."
    with pytest.raises(DomainError) as refused:
        end_agreement(agreement, acting_user=world.lead, ends_on=timezone.localdate() - datetime.timedelta(days=1))
    assert refused.value.message == "The end date cannot be in the past."


def test_each_step_tells_the_other_side_through_the_outbox(world, year_pool):
    from reflect.models import Notification

    supervisor = SupervisorProfileFactory(monthly_capacity_hours=Decimal("4"), user__first_name="Ruth")
    request = _send(world, supervisor)
    sent = Notification.objects.get(kind="supervision_request_sent")
    assert (sent.recipient, sent.context["organisation"], sent.context["hours"], sent.context["format"]) == (
        supervisor.user,
        "Harehills Drama",
        "1.5 hours",
        "1:1 supervision",
    )
    agreement = accept_request(request, acting_user=supervisor.user, reply="Happy to.")
    answered = Notification.objects.get(kind="supervision_request_answered")
    assert (answered.recipient, answered.context["answer"], answered.context["reply"]) == (
        world.lead,
        "accepted",
        "Happy to.",
    )
    ends_on = timezone.localdate() + datetime.timedelta(days=28)
    end_agreement(agreement, acting_user=supervisor.user, ends_on=ends_on)
    ending = Notification.objects.get(kind="supervision_agreement_ending")
    assert (ending.recipient, ending.context["other_side"], ending.context["ends_on"]) == (
        world.lead,
        supervisor.user.display_name,
        wording.date(ends_on),
    )
