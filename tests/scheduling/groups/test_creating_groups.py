from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from reflect.errors import DomainError
from reflect.models import AuditEvent
from scheduling.groups.changes import create_group
from scheduling.groups.recurrence import generate_sessions, keep_sessions_a_year_ahead, local_occurrences
from scheduling.models import GroupSession
from tests.factories.groups import NOW, make_facilitator, make_group

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_a_year_of_second_wednesdays_is_generated(world):
    group = make_group(world, capacity=10, overbooking_percent=20)
    starts = list(group.sessions.values_list("starts_at", flat=True))
    assert len(starts) == 12
    assert starts[:3] == [utc(2026, 11, 11, 14), utc(2026, 12, 9, 14), utc(2027, 1, 13, 14)]
    assert starts[-1] == utc(2027, 10, 13, 13)
    assert set(group.sessions.values_list("place_limit", flat=True)) == {12}
    assert AuditEvent.objects.filter(action="reflective_group.created").count() == 1


def test_fourteen_hundred_in_london_stays_fourteen_hundred_across_the_clocks_changing(world):
    group = make_group(world, rrule="FREQ=WEEKLY;BYDAY=TU", first_date=datetime.date(2027, 3, 20))
    starts = local_occurrences(group, after=utc(2027, 3, 20), before=utc(2027, 4, 7))
    # 23 March is GMT (14:00 UTC); 30 March and 6 April are BST (13:00 UTC).
    assert starts == [utc(2027, 3, 23, 14), utc(2027, 3, 30, 13), utc(2027, 4, 6, 13)]
    autumn = local_occurrences(group, after=utc(2027, 10, 20), before=utc(2027, 11, 3))
    assert autumn == [utc(2027, 10, 26, 13), utc(2027, 11, 2, 14)]


def test_generating_again_creates_nothing_and_the_periodic_task_tops_up(world):
    group = make_group(world)
    assert generate_sessions(group, now=NOW) == []
    assert keep_sessions_a_year_ahead(now=NOW + datetime.timedelta(days=31)) == 1
    assert GroupSession.objects.filter(group=group).count() == 13
    assert GroupSession.objects.filter(group=group).last().starts_at == utc(2027, 11, 10, 14)


def test_a_group_with_a_last_date_has_no_sessions_after_it_ever(world):
    # A cohort's term: second Wednesdays up to and including 10 February 2027.
    group = make_group(world, kind="cohort", last_date=datetime.date(2027, 2, 10))
    starts = [utc(2026, 11, 11, 14), utc(2026, 12, 9, 14), utc(2027, 1, 13, 14), utc(2027, 2, 10, 14)]
    assert list(group.sessions.values_list("starts_at", flat=True)) == starts
    # The year-ahead task, a month on, adds nothing past the term.
    assert keep_sessions_a_year_ahead(now=NOW + datetime.timedelta(days=31)) == 0
    assert group.sessions.count() == 4


def test_a_last_date_before_the_first_is_refused_with_the_field(world):
    with pytest.raises(DomainError) as error:
        make_group(world, first_date=datetime.date(2027, 1, 1), last_date=datetime.date(2026, 12, 31))
    assert (error.value.field, error.value.message) == (
        "last_date",
        "The last date must be on or after the first date.",
    )
    assert GroupSession.objects.count() == 0


def test_a_bad_rule_says_how_to_write_one(world):
    with pytest.raises(DomainError) as error:
        make_group(world, rrule="every second wednesday")
    assert error.value.field == "rrule"
    assert error.value.message == (
        "That is not a recurrence rule we can read. For the second Wednesday of each month enter "
        "FREQ=MONTHLY;BYDAY=+2WE."
    )


def test_only_the_pools_commissioner_creates_groups(world):

    with pytest.raises(DomainError) as error:
        create_group(world.pool, acting_user=world.other_commissioner, title="x")
    assert error.value.message == "Only the pool's commissioners can create its reflective groups."


def test_an_unverified_supervisor_cannot_facilitate(world):
    facilitator = make_facilitator()
    facilitator.verified_at = None
    facilitator.save()
    with pytest.raises(DomainError) as error:
        make_group(world, facilitator=facilitator)
    assert error.value.message == "Choose a verified supervisor as the facilitator."


def test_an_external_facilitator_is_enough(world):
    group = make_group(world, external_facilitator_name="Dr Bea Khan", external_facilitator_email="bea@example.org")
    assert (group.facilitator_name, group.facilitator_email) == ("Dr Bea Khan", "bea@example.org")


def test_eligible_organisations_must_be_in_the_pool(world):
    with pytest.raises(DomainError) as error:
        make_group(world, all_pool_organisations=False, eligible_organisations=[world.other_organisation])
    assert error.value.message == "Choose organisations from this pool."


def test_seed_demo_adds_a_monthly_drop_in_to_the_leeds_pool(django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    from scheduling.models import ReflectiveGroup

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert list(ReflectiveGroup.objects.order_by("title").values_list("title", "kind", "purpose")) == [
        (
            "Leeds evening reflective circle",
            "drop_in",
            "reflective",
        ),  # full, with a held offer (tests/demo/test_groups_demo.py)
        ("Leeds reflective practice drop-in", "drop_in", "reflective"),
        # Learning sessions and a community of practice (tests/demo/test_learning_sessions_demo.py).
        ("Peer support workers' community of practice", "drop_in", "community"),
        ("Risk enablement in practice", "drop_in", "learning"),
        ("Tuesday evening Balint cohort", "cohort", "reflective"),
        ("Working with complex trauma", "drop_in", "learning"),
    ]
    group = ReflectiveGroup.objects.get(title="Leeds reflective practice drop-in")
    assert (group.title, group.pool.name, group.rrule, group.capacity, group.duration_minutes) == (
        "Leeds reflective practice drop-in",
        "Leeds community mental health pool 2026–27",
        "FREQ=MONTHLY;BYDAY=+2WE",
        10,
        120,
    )
    assert group.facilitator.user.email == "supervisor@demo.reflect.test"
    london = [
        start.astimezone(ZoneInfo("Europe/London")) for start in group.sessions.values_list("starts_at", flat=True)
    ]
    assert {(start.strftime("%A %H:%M"), 8 <= start.day <= 14) for start in london} == {("Wednesday 14:00", True)}
