"""Check-ins at review dates: optional, for the supervisor and the organisation's staff, once
per review; commissioners see only pool-wide averages from 8 responses."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.errors import DomainError
from reflect.local_time import LONDON
from supervision.models import AgreementCheckIn
from supervision.services.check_ins import due_check_ins_for, pool_check_in_summary, record_check_in
from tests.factories.core import signed_in, staff_of
from tests.factories.supervision import SupervisionAgreementFactory

pytestmark = pytest.mark.django_db


def _agreement(world, review_on):
    return SupervisionAgreementFactory(
        organisation=world.organisation,
        supervisor__user__first_name="Ruth",
        pool=world.pool,
        hours_per_month=Decimal("1.5"),
        starts_on=review_on - datetime.timedelta(days=90),
        review_on=review_on,
    )


def test_check_ins_are_due_from_the_review_date_for_staff_and_the_supervisor(world):
    today = timezone.localdate()
    due = _agreement(world, today)
    _agreement(world, today + datetime.timedelta(days=1))
    assert list(due_check_ins_for(world.member)) == [due]
    assert list(due_check_ins_for(due.supervisor.user)) == [due]
    assert list(due_check_ins_for(world.outsider)) == []
    record_check_in(due, acting_user=world.member, normative=3, formative=4, restorative=2)
    assert list(due_check_ins_for(world.member)) == []
    assert list(due_check_ins_for(world.colleague)) == [due]


def test_a_check_in_is_once_per_review_and_not_before_it(world):
    today = timezone.localdate()
    due = _agreement(world, today)
    record_check_in(due, acting_user=world.member, normative=3, formative=3, restorative=3)
    with pytest.raises(DomainError) as refused:
        record_check_in(due, acting_user=world.member, normative=1, formative=1, restorative=1)
    assert refused.value.message == "You have already checked in for this review. Thank you."
    later = _agreement(world, today + datetime.timedelta(days=7))
    with pytest.raises(DomainError) as refused:
        record_check_in(later, acting_user=world.member, normative=1, formative=1, restorative=1)
    assert refused.value.message == f"The check-in opens on the review date, {later.review_on:%A %-d %B %Y}."
    with pytest.raises(DomainError):
        record_check_in(due, acting_user=world.outsider, normative=1, formative=1, restorative=1)


def _pool_with_an_ended_half_year(world) -> datetime.date:
    """The pool began six months before this month: its first half-year has just ended, its
    second is under way. The first day of the ended half-year."""
    first = timezone.localdate().replace(day=1) - relativedelta(months=6)
    world.pool.starts_on, world.pool.ends_on = first, first + relativedelta(years=1) - datetime.timedelta(days=1)
    world.pool.save(update_fields=["starts_on", "ends_on"])
    return first


def _recorded_on(day: datetime.date, check_ins) -> None:
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON)
    AgreementCheckIn.objects.filter(pk__in=[c.pk for c in check_ins]).update(created_at=noon)


def test_commissioners_see_averages_only_from_eight_responses(client, world):
    first = _pool_with_an_ended_half_year(world)
    due = _agreement(world, timezone.localdate())
    people = [staff_of(world.organisation) for _ in range(7)]
    made = [
        record_check_in(due, acting_user=person, normative=rating, formative=2, restorative=4)
        for person, rating in zip(people, [1, 2, 3, 4, 4, 4, 3], strict=True)
    ]
    _recorded_on(first + datetime.timedelta(days=10), made)
    assert pool_check_in_summary(world.pool).shown is False
    signed_in(client, world.commissioner)
    page = client.get(reverse("pool_assignment", args=[world.pool.pk])).content.decode()
    assert "Fewer than 8 check-ins in that half-year" in page
    supervisors = record_check_in(due, acting_user=due.supervisor.user, normative=3, formative=3, restorative=3)
    _recorded_on(first + datetime.timedelta(days=20), [supervisors])
    summary = pool_check_in_summary(world.pool)
    # normative: (1+2+3+4+4+4+3+3) ÷ 8 = 3.0; formative: (7×2+3) ÷ 8 = 2.125 → 2.1; restorative: (7×4+3) ÷ 8 = 3.875 → 3.9
    assert (summary.responses, summary.normative, summary.formative, summary.restorative) == (
        8,
        Decimal("3.0"),
        Decimal("2.1"),
        Decimal("3.9"),
    )
    assert AgreementCheckIn.objects.filter(by_supervisor=True).count() == 1
    # …and the commissioner's page shows them now, with the number of responses disclosed as
    # every count of people is (8 → 10) and which half-year they are of.
    page = client.get(reverse("pool_assignment", args=[world.pool.pk])).content.decode()
    assert "Fewer than 8 check-ins" not in page
    for label, average in (("(normative)", "3.0"), ("(formative)", "2.1"), ("(restorative)", "3.9")):
        assert f'{label}</dt><dd class="govuk-summary-list__value">{average}</dd>' in page
    assert "Averages across the whole pool from 10 responses" in page
    second = first + relativedelta(months=6)
    period = (
        f"Check-ins recorded {wording.month(first)} to {wording.month(second - datetime.timedelta(days=1))}, the "
        f"latest half-year of the pool to have ended. The next, for {wording.month(second)} to "
        f"{wording.month(world.pool.ends_on)}, appear on {wording.date(world.pool.ends_on + datetime.timedelta(days=1))}."
    )
    assert period in page


def test_a_new_check_in_does_not_move_the_averages_a_commissioner_sees(world):
    """No differencing: the averages are of an ended half-year, so a check-in made since leaves
    them as they were (a running mean over every check-in so far moved with it, and two looks
    either side of one person's check-in gave away their ratings)."""
    first = _pool_with_an_ended_half_year(world)
    due = _agreement(world, timezone.localdate())
    made = [
        record_check_in(due, acting_user=staff_of(world.organisation), normative=2, formative=2, restorative=2)
        for _ in range(8)
    ]
    _recorded_on(first + datetime.timedelta(days=3), made)
    before = pool_check_in_summary(world.pool)
    assert (before.responses, before.normative, before.formative, before.restorative) == (
        8,
        Decimal("2.0"),
        Decimal("2.0"),
        Decimal("2.0"),
    )
    record_check_in(due, acting_user=world.member, normative=4, formative=4, restorative=4)  # today
    assert pool_check_in_summary(world.pool) == before


def test_no_averages_before_the_pools_first_half_year_has_ended(world):
    first = timezone.localdate().replace(day=1)
    world.pool.starts_on, world.pool.ends_on = first, first + relativedelta(years=1) - datetime.timedelta(days=1)
    world.pool.save(update_fields=["starts_on", "ends_on"])
    due = _agreement(world, timezone.localdate())
    for _ in range(8):
        record_check_in(due, acting_user=staff_of(world.organisation), normative=3, formative=3, restorative=3)
    summary = pool_check_in_summary(world.pool)  # the pool began this month
    assert (summary.half_year, summary.responses, summary.shown) == (None, 0, False)
    first_end = world.pool.starts_on + relativedelta(months=6)
    assert summary.period_text == (
        "Check-in averages are shown for each half-year of the pool once it has ended. The next, for "
        f"{wording.month(world.pool.starts_on)} to {wording.month(first_end - datetime.timedelta(days=1))}, "
        f"appear on {wording.date(first_end)}."
    )


def test_the_check_in_page_for_staff_and_404_for_others(client, world):
    due = _agreement(world, timezone.localdate())
    url = reverse("agreement_check_in", args=[due.pk])
    for persona in (world.outsider, world.commissioner):
        client.force_login(persona)
        assert client.get(url).status_code == 404
    client.force_login(world.member)
    home = client.get(reverse("home"))
    assert [s.url for p in home.context["panels"] if p.title == "How is supervision going?" for s in p.steps] == [url]
    response = client.post(url, {"normative": "3", "formative": "4", "restorative": "2"})
    assert response["Location"] == reverse("home")
    check_in = AgreementCheckIn.objects.get()
    assert (check_in.respondent, check_in.normative, check_in.formative, check_in.restorative) == (
        world.member,
        3,
        4,
        2,
    )
