"""Learning sessions' use cases: publishing tells exactly the people who asked, attending meets
their need, and the answers afterwards are counts that name nobody."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.models import LearningNeed
from learning.session_models import ExternalCourse, FeedbackGiven, FeedbackTally, LearningSessionTopic
from learning.sessions.queries import places_awaiting_feedback
from learning.sessions.services import TELL_BATCH, give_feedback, publish_external_course
from reflect import wording
from reflect.errors import DomainError
from reflect.models import Notification
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import GroupKind, GroupPurpose, PlaceStatus
from tests.factories.core import staff_of
from tests.factories.groups import NOW, make_group
from tests.learning.sessions_helpers import publish, raise_need, topic

AFTER = datetime.datetime(2026, 12, 9, 13, 0, tzinfo=datetime.UTC)


def test_a_published_session_is_a_learning_group_for_its_topics(world):
    group = publish(world, [topic("trauma-informed-practice"), topic("vicarious-trauma")])
    assert (group.purpose, group.kind, group.all_pool_organisations, group.booking_opens_days) == (
        GroupPurpose.LEARNING,
        GroupKind.DROP_IN,
        True,
        365,
    )
    assert sorted(LearningSessionTopic.objects.filter(group=group).values_list("topic__slug", flat=True)) == [
        "trauma-informed-practice",
        "vicarious-trauma",
    ]
    assert [s.starts_at for s in group.sessions.all()] == [datetime.datetime(2026, 12, 9, 10, 0, tzinfo=datetime.UTC)]


def test_publishing_tells_each_person_with_an_open_need_once_and_nobody_else(world):
    trauma, vicarious, psychosis = topic("trauma-informed-practice"), topic("vicarious-trauma"), topic("psychosis")
    raise_need(world.member, world.pool, trauma)
    raise_need(world.member, world.pool, vicarious)  # two topics of the session: told once
    raise_need(world.colleague, world.pool, trauma, met_at=NOW)  # met already
    raise_need(world.lead, world.pool, trauma, withdrawn_at=NOW)  # withdrawn
    raise_need(world.outsider, world.other_pool, trauma)  # another pool
    other = staff_of(world.organisation, first_name="Pat")
    raise_need(other, world.pool, psychosis)  # another topic
    group = publish(world, [trauma, vicarious])
    rows = list(Notification.objects.filter(kind="learning_session_published"))
    assert [(row.recipient_id, row.idempotency_key, row.about) for row in rows] == [
        (world.member.pk, f"learning-session:{group.pk}:told:{world.member.pk}", f"learning-session:{group.pk}")
    ]
    session = group.sessions.get()
    assert rows[0].context == {
        "title": "Trauma-informed practice: an introduction",
        "topics": "Trauma-informed practice, Vicarious trauma",
        "when": wording.span(session.starts_at, session.ends_at, "Europe/London"),
        "more_dates": "",
        "led_by": "Facilitated by Ann Carter",
        "how": "Online",
        "url": f"{settings.SITE_URL}/learning/sessions/{group.pk}/book/",
    }


def test_a_series_says_how_many_more_dates(world):
    raise_need(world.member, world.pool, topic("psychosis"))
    publish(world, [topic("psychosis")], dates=[datetime.date(2026, 12, 9), datetime.date(2027, 1, 13)])
    assert Notification.objects.get(kind="learning_session_published").context["more_dates"] == "and 1 more date"


def test_each_person_is_told_of_the_topics_they_asked_for_only(world):
    trauma, vicarious, psychosis = topic("trauma-informed-practice"), topic("vicarious-trauma"), topic("psychosis")
    raise_need(world.member, world.pool, trauma)
    raise_need(world.member, world.pool, psychosis)  # not one of the session's topics
    raise_need(world.colleague, world.pool, vicarious)
    raise_need(world.lead, world.pool, vicarious)
    raise_need(world.lead, world.pool, trauma)
    course = publish_external_course(
        world.pool,
        acting_user=world.commissioner,
        topics=[trauma, vicarious],
        title="Trauma at work",
        provider="Leeds Mind",
        url="https://example.org/trauma",
        starts_on=datetime.date(2027, 1, 11),
        now=NOW,
    )
    group = publish(world, [vicarious, trauma])
    for kind, about in [
        ("learning_session_published", f"learning-session:{group.pk}"),
        ("learning_course_published", f"external-course:{course.pk}"),
    ]:
        told = Notification.objects.filter(kind=kind, about=about).order_by("recipient_id")
        assert [(row.recipient_id, row.context["topics"]) for row in told] == sorted(
            [
                (world.member.pk, "Trauma-informed practice"),
                (world.colleague.pk, "Vicarious trauma"),
                (world.lead.pk, "Trauma-informed practice, Vicarious trauma"),
            ]
        )


def test_many_people_are_told_in_batches_of_rows_not_one_insert_each(world):
    trauma = topic("trauma-informed-practice")
    for n in range(TELL_BATCH + 5):
        raise_need(staff_of(world.organisation, first_name=f"P{n}"), world.pool, trauma)
    with CaptureQueriesContext(connection) as queries:
        publish(world, [trauma])
    inserts = [q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "reflect_notification"')]
    # A batch of TELL_BATCH, then the 5 left: two statements on PostgreSQL. SQLite's limit on a
    # statement's parameters makes Django split each batch further (about 80 rows a statement).
    assert len(inserts) == (2 if connection.vendor == "postgresql" else 11)
    assert Notification.objects.filter(kind="learning_session_published").count() == TELL_BATCH + 5
    assert Notification.objects.filter(kind="learning_session_published").values("recipient").distinct().count() == (
        TELL_BATCH + 5
    )


def test_only_the_pools_commissioner_publishes_and_only_its_topics(world):
    with pytest.raises(DomainError, match="Only the pool's commissioners"):
        from learning.sessions.services import publish_learning_session

        publish_learning_session(world.pool, acting_user=world.lead, topics=[topic("psychosis")])
    with pytest.raises(DomainError, match="Choose at least one topic"):
        publish(world, [])
    assert LearningSessionTopic.objects.count() == 0
    assert Notification.objects.filter(kind="learning_session_published").count() == 0


def test_attending_meets_the_persons_need_for_the_sessions_topics_only(world):
    trauma, psychosis = topic("trauma-informed-practice"), topic("psychosis")
    need = raise_need(world.member, world.pool, trauma)
    other_need = raise_need(world.member, world.pool, psychosis)
    colleague_need = raise_need(world.colleague, world.pool, trauma)
    group = publish(world, [trauma])
    session = group.sessions.get()
    place = book_place(session, acting_user=world.member, now=NOW)
    colleague_place = book_place(session, acting_user=world.colleague, now=NOW)
    mark_place_attendance(place, True, acting_user=group.facilitator.user, now=AFTER)
    mark_place_attendance(colleague_place, False, acting_user=group.facilitator.user, now=AFTER)
    need.refresh_from_db()
    other_need.refresh_from_db()
    colleague_need.refresh_from_db()
    assert (need.met_at, other_need.met_at, colleague_need.met_at) == (AFTER, None, None)
    # Corrected from absent to attended: met then.
    later = AFTER + datetime.timedelta(hours=1)
    mark_place_attendance(colleague_place, True, acting_user=group.facilitator.user, now=later)
    colleague_need.refresh_from_db()
    assert colleague_need.met_at == later


def test_a_reflective_group_meets_no_learning_need(world):
    need = raise_need(world.member, world.pool, topic("psychosis"))
    group = make_group(world)
    session = group.sessions.order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    mark_place_attendance(place, True, acting_user=group.facilitator.user, now=session.ends_at)
    need.refresh_from_db()
    assert need.met_at is None


def test_an_answer_is_counted_once_per_place_and_kept_with_no_person(world):
    group = publish(world, [topic("psychosis")])
    session = group.sessions.get()
    places = [
        book_place(session, acting_user=person, now=NOW) for person in (world.member, world.colleague, world.lead)
    ]
    for place in places[:2]:
        mark_place_attendance(place, True, acting_user=group.facilitator.user, now=AFTER)
    assert give_feedback(places[0], "yes", acting_user=world.member) is True
    assert give_feedback(places[0], "no", acting_user=world.member) is False  # a second tap changes nothing
    assert give_feedback(places[1], "partly", acting_user=world.colleague) is True
    assert sorted(FeedbackTally.objects.values_list("answer", "count")) == [("partly", 1), ("yes", 1)]
    assert FeedbackGiven.objects.count() == 2
    with pytest.raises(DomainError, match="once you have been to it"):
        give_feedback(places[2], "yes", acting_user=world.lead)  # booked, not yet marked
    with pytest.raises(DomainError, match="Choose yes, partly or no"):
        give_feedback(places[1], "maybe", acting_user=world.colleague)


def test_a_series_asks_and_counts_one_answer_per_person_however_many_dates_they_attend(world):
    # The dashboard shows these counts by the rule for counting people: one person answering
    # each of nine dates would otherwise be shown as nine people (a "10" after rounding).
    dates = [datetime.date(2026, 12, 9) + datetime.timedelta(days=7 * week) for week in range(3)]
    group = publish(world, [topic("psychosis")], dates=dates)
    sessions = list(group.sessions.order_by("starts_at"))
    places = [book_place(session, acting_user=world.member, now=NOW) for session in sessions]
    for session, place in zip(sessions, places, strict=True):
        mark_place_attendance(place, True, acting_user=group.facilitator.user, now=session.ends_at)
    end = sessions[-1].ends_at
    assert [p.pk for p in places_awaiting_feedback(world.member, end)] == [places[2].pk, places[1].pk, places[0].pk]

    assert give_feedback(places[0], "no", acting_user=world.member) is True
    assert give_feedback(places[1], "no", acting_user=world.member) is False
    assert give_feedback(places[2], "yes", acting_user=world.member) is False
    assert sorted(FeedbackTally.objects.values_list("answer", "count")) == [("no", 1)]
    assert list(places_awaiting_feedback(world.member, end)) == []


def test_the_answers_cannot_be_tied_to_a_person():
    # What is kept of an answer: the session, the answer and a count. Whether someone answered
    # is kept apart with no answer and no time, so no row ties the two together.
    assert {f.name for f in FeedbackTally._meta.concrete_fields} == {"id", "session", "answer", "count"}
    assert {f.name for f in FeedbackGiven._meta.concrete_fields} == {"id", "place"}


def test_someone_elses_place_is_not_theirs_to_answer(world):
    from django.http import Http404

    group = publish(world, [topic("psychosis")])
    place = book_place(group.sessions.get(), acting_user=world.member, now=NOW)
    mark_place_attendance(place, True, acting_user=group.facilitator.user, now=AFTER)
    with pytest.raises(Http404):
        give_feedback(place, "yes", acting_user=world.colleague)
    assert FeedbackTally.objects.count() == 0


def test_pointing_to_a_course_tells_the_people_who_asked(world):
    suicide = topic("suicide-prevention")
    raise_need(world.member, world.pool, suicide)
    raise_need(world.outsider, world.other_pool, suicide)
    course = publish_external_course(
        world.pool,
        acting_user=world.commissioner,
        topics=[suicide],
        title="Suicide prevention",
        provider="Zero Suicide Alliance",
        url="https://www.zerosuicidealliance.com/training",
        starts_on=datetime.date(2027, 1, 11),
        now=NOW,
    )
    assert list(course.topics.values_list("slug", flat=True)) == ["suicide-prevention"]
    row = Notification.objects.get(kind="learning_course_published")
    assert (row.recipient_id, row.idempotency_key) == (
        world.member.pk,
        f"external-course:{course.pk}:told:{world.member.pk}",
    )
    assert row.context == {
        "title": "Suicide prevention",
        "topics": "Suicide prevention",
        "provider": "Zero Suicide Alliance",
        "dates": f"From {wording.date(datetime.date(2027, 1, 11))}",
        "course_url": "https://www.zerosuicidealliance.com/training",
    }
    with pytest.raises(DomainError, match="Only the pool's commissioners"):
        publish_external_course(
            world.pool,
            acting_user=world.other_commissioner,
            topics=[suicide],
            title="x",
            provider="y",
            url="https://example.org",
            starts_on=datetime.date(2027, 1, 11),
        )
    assert ExternalCourse.objects.count() == 1


def test_needs_stay_open_when_the_place_is_marked_absent(world):
    need = raise_need(world.member, world.pool, topic("psychosis"))
    group = publish(world, [topic("psychosis")])
    place = book_place(group.sessions.get(), acting_user=world.member, now=NOW)
    mark_place_attendance(place, False, acting_user=group.facilitator.user, now=AFTER)
    assert LearningNeed.objects.get(pk=need.pk).met_at is None
    place.refresh_from_db()
    assert place.status == PlaceStatus.ABSENT


def test_a_correction_to_absent_reopens_the_need_that_attendance_met(world):
    trauma, psychosis = topic("trauma-informed-practice"), topic("psychosis")
    need = raise_need(world.member, world.pool, trauma)
    other = raise_need(world.member, world.pool, psychosis, met_at=NOW)  # met before: not this session's topic
    group = publish(world, [trauma])
    place = book_place(group.sessions.get(), acting_user=world.member, now=NOW)
    facilitator = group.facilitator.user
    mark_place_attendance(place, True, acting_user=facilitator, now=AFTER)
    assert LearningNeed.objects.get(pk=need.pk).met_at == AFTER
    mark_place_attendance(place, False, acting_user=facilitator, now=AFTER + datetime.timedelta(minutes=5))
    assert (LearningNeed.objects.get(pk=need.pk).met_at, LearningNeed.objects.get(pk=other.pk).met_at) == (None, NOW)
    # Marked attended again: met again.
    later = AFTER + datetime.timedelta(minutes=10)
    mark_place_attendance(place, True, acting_user=facilitator, now=later)
    assert LearningNeed.objects.get(pk=need.pk).met_at == later


def test_a_correction_to_absent_leaves_a_need_another_session_met(world):
    trauma = topic("trauma-informed-practice")
    need = raise_need(world.member, world.pool, trauma)
    first = publish(world, [trauma])
    second = publish(world, [trauma], dates=[datetime.date(2026, 12, 16)], title="Trauma again")
    came = book_place(first.sessions.get(), acting_user=world.member, now=NOW)
    also = book_place(second.sessions.get(), acting_user=world.member, now=NOW)
    # The first session's register is marked late, after the second began: its mark met the need.
    late = datetime.datetime(2026, 12, 16, 12, 0, tzinfo=datetime.UTC)
    mark_place_attendance(came, True, acting_user=first.facilitator.user, now=late)
    mark_place_attendance(also, True, acting_user=second.facilitator.user, now=late)
    mark_place_attendance(also, False, acting_user=second.facilitator.user, now=late)
    assert LearningNeed.objects.get(pk=need.pk).met_at == late


def test_a_correction_to_absent_leaves_a_need_raised_again_since(world):
    trauma = topic("trauma-informed-practice")
    need = raise_need(world.member, world.pool, trauma)
    group = publish(world, [trauma])
    place = book_place(group.sessions.get(), acting_user=world.member, now=NOW)
    mark_place_attendance(place, True, acting_user=group.facilitator.user, now=AFTER)
    again = raise_need(world.member, world.pool, trauma)  # asked again since: that one stands
    mark_place_attendance(place, False, acting_user=group.facilitator.user, now=AFTER)
    assert (LearningNeed.objects.get(pk=need.pk).met_at, LearningNeed.objects.get(pk=again.pk).met_at) == (AFTER, None)
