"""Two taps answering "did it meet your need?" for two dates of one learning series at once, on
PostgreSQL (docs/learning.md; reflect/locks.py, row 11).

A series is asked once per person, so each tap locks all the person's places in the group before
it looks for an answer. The race is made, not hoped for: a third session holds the first date's
place, the tap on the first date queues for it, then the tap on the second date queues behind.
Had a tap locked its own date's place first and the rest after (as it once did), the second-date
tap would hold its place while waiting for the first's, and the first-date tap, let go, would
wait for the second's: PostgreSQL would end one with "deadlock detected".
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction

from learning.models import LearningTopic
from learning.session_models import FeedbackGiven, FeedbackTally
from learning.sessions.services import give_feedback
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import Place
from tests.concurrency.lock_waits import run_and_file, waits_for_a_lock
from tests.conftest import requires_postgresql
from tests.factories.groups import NOW
from tests.learning.sessions_helpers import publish

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]


def test_taps_on_two_dates_of_a_series_at_once_count_one_answer_and_neither_fails(world) -> None:
    dates = [datetime.date(2026, 12, 9) + datetime.timedelta(days=7 * week) for week in range(2)]
    # The catalogue's topics come from a migration, which an earlier transactional test's
    # flush may have emptied: the one topic needed, made if it is gone.
    psychosis, _ = LearningTopic.objects.get_or_create(
        slug="psychosis", pool=None, defaults={"title": "Working with psychosis", "catalogue_version": 1}
    )
    group = publish(world, [psychosis], dates=dates)
    sessions = list(group.sessions.order_by("starts_at"))
    first, second = (book_place(session, acting_user=world.member, now=NOW) for session in sessions)
    for session, place in zip(sessions, (first, second), strict=True):
        mark_place_attendance(place, True, acting_user=group.facilitator.user, now=session.ends_at)
    assert first.pk < second.pk  # the order the places are locked in

    held, let_go = threading.Event(), threading.Event()

    def hold_the_first_place() -> None:
        with transaction.atomic():
            list(Place.objects.select_for_update().filter(pk=first.pk).values_list("pk"))
            held.set()
            let_go.wait(30)

    outcomes: dict[str, str] = {}
    pids: dict[str, int] = {}
    holder = threading.Thread(target=run_and_file, args=(hold_the_first_place, outcomes, pids), name="holder")
    taps = {
        name: threading.Thread(
            target=run_and_file,
            args=(
                lambda place=place, answer=answer: give_feedback(place, answer, acting_user=world.member),
                outcomes,
                pids,
            ),
            name=name,
        )
        for name, place, answer in (("first date", first, "yes"), ("second date", second, "no"))
    }
    holder.start()
    assert held.wait(10)
    for name in ("first date", "second date"):
        taps[name].start()
        assert waits_for_a_lock(taps[name], pids, name), f"the tap on the {name} did not wait for the held place"
    let_go.set()
    for thread in (holder, *taps.values()):
        thread.join(30)
    connection.close()

    assert outcomes == {"holder": "done", "first date": "done", "second date": "done"}
    assert FeedbackGiven.objects.count() == 1
    assert list(FeedbackTally.objects.values_list("answer", "count")) == [("yes", 1)]
