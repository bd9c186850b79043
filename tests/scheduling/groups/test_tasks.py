from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.conf import settings

from config.celery import app as celery_app
from scheduling.groups import waitlist
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.tasks import (
    task_expire_group_offers,
    task_keep_group_sessions_a_year_ahead,
    task_sweep_group_waitlists,
)
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import WaitlistStatus
from tests.factories.core import staff_of
from tests.factories.groups import NOW

pytestmark = pytest.mark.django_db


def test_the_expiry_task_passes_a_run_out_offer_on_and_a_gone_session_is_quiet(world, session):
    place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    first = join_waitlist(session, acting_user=world.lead, now=NOW)
    second = join_waitlist(session, acting_user=staff_of(world.organisation), now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)
    with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(hours=25)):
        assert task_expire_group_offers.delay(session.pk).get() == 1
        assert task_sweep_group_waitlists.delay().get() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED)
    assert task_expire_group_offers.delay(999_999).get() == 0


def test_the_periodic_task_keeps_a_year_ahead(world, group):
    with mock.patch("django.utils.timezone.now", return_value=NOW + datetime.timedelta(days=62)):
        assert task_keep_group_sessions_a_year_ahead.delay().get() == 2
    assert group.sessions.count() == 14


GROUP_TASKS = (
    "scheduling.keep_group_sessions_a_year_ahead",
    "scheduling.expire_group_offers",
    "scheduling.sweep_group_waitlists",
)


def test_celery_knows_the_group_tasks_by_their_names_and_beat_runs_the_periodic_ones():
    # Celery looks for tasks in each app's tasks module only: the app's start-up imports these.
    assert set(GROUP_TASKS) <= set(celery_app.tasks)
    assert [task.name for task in (task_keep_group_sessions_a_year_ahead, task_expire_group_offers)] == [
        "scheduling.keep_group_sessions_a_year_ahead",
        waitlist.EXPIRE_OFFERS_TASK,
    ]
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {GROUP_TASKS[0], GROUP_TASKS[2]} <= beat


def test_an_offer_queues_the_expiry_task_by_its_name_for_when_it_runs_out(
    world, session, django_capture_on_commit_callbacks
):
    place = book_place(session, acting_user=world.member, now=NOW)
    book_place(session, acting_user=world.colleague, now=NOW)
    entry = join_waitlist(session, acting_user=world.lead, now=NOW)
    task = celery_app.tasks[waitlist.EXPIRE_OFFERS_TASK]
    with mock.patch.object(task, "apply_async") as queued, django_capture_on_commit_callbacks(execute=True):
        cancel_place(place, acting_user=world.member, now=NOW)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    queued.assert_called_once_with(args=[session.pk], eta=entry.offered_until, retry=False)
