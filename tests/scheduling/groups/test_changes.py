"""A commissioner changes a running group: its coming sessions follow, and people are told."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from reflect.errors import DomainError
from reflect.models import AuditEvent, Notification
from scheduling.groups.changes import change_group
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession, PlaceStatus, ReflectiveGroup, SessionStatus, WaitlistStatus
from scheduling.notification_kinds import GroupNotificationKind
from tests.factories.core import signed_in
from tests.factories.groups import NOW, make_group

pytestmark = pytest.mark.django_db


def sessions_of(group):
    return list(group.sessions.order_by("starts_at"))


@pytest.fixture
def group(world):
    """Booking opens two months ahead, so the first two sessions can be booked at NOW."""
    return make_group(world, booking_opens_days=60)


def test_a_new_place_tells_each_person_with_a_place_once_with_an_updated_invitation(world, group):
    first, second = sessions_of(group)[:2]
    book_place(first, acting_user=world.member, now=NOW)
    book_place(first, acting_user=world.colleague, now=NOW)
    join_waitlist(first, acting_user=world.lead, now=NOW)
    book_place(second, acting_user=world.member, now=NOW)

    change = change_group(
        group, acting_user=world.commissioner, location="Room 4, Chapeltown Community Centre", now=NOW
    )

    assert (change.told_where, change.cancelled, change.added, change.offered) == (2, 0, 0, 0)
    told = Notification.objects.filter(
        kind=GroupNotificationKind.WHERE_CHANGED, about__startswith="group-place:"
    ).order_by("recipient__first_name")
    assert [(n.recipient, n.context["sessions"]) for n in told] == [
        (world.colleague, ["Wednesday 11 November 2026, 2pm to 4pm"]),
        (world.member, ["Wednesday 11 November 2026, 2pm to 4pm", "Wednesday 9 December 2026, 2pm to 4pm"]),
    ]
    # Every coming session's calendar entry is one newer, and the attached invitation says where.
    assert {s.sequence for s in sessions_of(group)} == {1}
    event = next(c for c in Calendar.from_ical(told[1].ics).walk() if c.name == "VEVENT")
    assert (str(event["LOCATION"]), int(event["SEQUENCE"]), str(event["UID"])) == (
        "Room 4, Chapeltown Community Centre",
        1,
        first.ics_uid,
    )
    assert "Chris" not in told[1].ics and "Chris" not in str(told[1].context)
    # Only people with a place had it in their calendar; the person waiting is not told.
    assert not Notification.objects.filter(kind=GroupNotificationKind.WHERE_CHANGED, recipient=world.lead).exists()
    assert AuditEvent.objects.get(action="reflective_group.changed").details["fields"] == ["location"]


def test_an_external_facilitator_is_told_the_new_place_by_e_mail_with_every_coming_date(world):
    from django.core import mail

    from reflect.services.notifications import deliver_notification

    group = make_group(
        world,
        external_facilitator_name="Fay Brown",
        external_facilitator_email="fay@example.org",
        last_date=datetime.date(2026, 12, 31),
    )
    change_group(group, acting_user=world.commissioner, location="Room 4, Chapeltown Community Centre", now=NOW)
    [told] = Notification.objects.filter(kind=GroupNotificationKind.WHERE_CHANGED)
    assert (told.recipient, told.recipient_email, told.context["facilitating"]) == (None, "fay@example.org", True)
    deliver_notification(told.pk)
    [sent] = mail.outbox
    assert sent.to == ["fay@example.org"]
    assert "you facilitate it as before" in sent.body
    assert "Wednesday 11 November 2026, 2pm to 4pm" in sent.body and "Wednesday 9 December 2026" in sent.body
    assert "Where: Room 4, Chapeltown Community Centre" in sent.body
    assert "cancel your place" not in sent.body


def test_more_room_goes_to_the_waitlist_at_once_in_every_coming_session(world, group):
    first = sessions_of(group)[0]
    book_place(first, acting_user=world.member, now=NOW)
    book_place(first, acting_user=world.colleague, now=NOW)
    entry = join_waitlist(first, acting_user=world.lead, now=NOW)

    change = change_group(group, acting_user=world.commissioner, capacity=3, now=NOW)

    assert change.offered == 1
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    assert set(GroupSession.objects.filter(group=group).values_list("place_limit", flat=True)) == {3}
    assert Notification.objects.filter(kind=GroupNotificationKind.PLACE_OFFERED, recipient=world.lead).count() == 1


def test_less_room_than_a_session_has_booked_is_refused_and_changes_nothing(world, group):
    first = sessions_of(group)[0]
    book_place(first, acting_user=world.member, now=NOW)
    book_place(first, acting_user=world.colleague, now=NOW)

    with pytest.raises(DomainError) as refused:
        change_group(group, acting_user=world.commissioner, capacity=1, title="Smaller circle", now=NOW)

    assert (refused.value.field, refused.value.message) == (
        "capacity",
        "The session on Wednesday 11 November 2026, 2pm to 4pm has more places booked or offered than that. "
        "Keep the room as it is, or cancel that session first.",
    )
    group.refresh_from_db()
    assert (group.capacity, group.title) == (2, "Leeds reflective practice")
    assert set(GroupSession.objects.filter(group=group).values_list("place_limit", flat=True)) == {2}


def test_an_earlier_last_date_cancels_the_sessions_after_it_and_tells_the_people_in_them(world, group):
    december = sessions_of(group)[1]
    book_place(december, acting_user=world.member, now=NOW)

    change = change_group(group, acting_user=world.commissioner, last_date=datetime.date(2026, 11, 30), now=NOW)

    assert (change.cancelled, change.added) == (11, 0)
    scheduled = group.sessions.filter(status=SessionStatus.SCHEDULED)
    assert list(scheduled.values_list("starts_at", flat=True)) == [
        datetime.datetime(2026, 11, 11, 14, tzinfo=datetime.UTC)
    ]
    assert december.places.get().status == PlaceStatus.CANCELLED
    [told] = Notification.objects.filter(kind=GroupNotificationKind.SESSION_CANCELLED)
    assert (told.recipient, told.context["note"]) == (world.member, "The group now ends earlier.")


def test_when_no_session_stays_the_cancellations_name_no_next_session(world, group):
    book_place(sessions_of(group)[1], acting_user=world.member, now=NOW)
    change_group(group, acting_user=world.commissioner, last_date=datetime.date(2026, 11, 2), now=NOW)
    [told] = Notification.objects.filter(kind=GroupNotificationKind.SESSION_CANCELLED)
    assert told.context["next_when"] == ""  # not a session cancelled with it


def test_a_new_title_or_facilitator_renews_every_coming_calendar_entry_without_a_message(world, group):
    book_place(sessions_of(group)[0], acting_user=world.member, now=NOW)
    change_group(group, acting_user=world.commissioner, title="Harehills circle", now=NOW)
    assert {(s.sequence, s.updated_at) for s in sessions_of(group)} == {(1, NOW)}
    assert not Notification.objects.filter(kind=GroupNotificationKind.WHERE_CHANGED).exists()
    # The description is not in the calendar: nothing to renew.
    change_group(group, acting_user=world.commissioner, description="Monthly.", now=NOW)
    assert {s.sequence for s in sessions_of(group)} == {1}


def test_each_change_of_place_reaches_the_person_even_when_sessions_sequences_coincide(world, group):
    first, second = sessions_of(group)[:2]
    place = book_place(first, acting_user=world.member, now=NOW)
    change_group(group, acting_user=world.commissioner, location="Room 3", now=NOW)
    cancel_place(place, acting_user=world.member, now=NOW)
    book_place(second, acting_user=world.member, now=NOW)
    # The second session's entry now has the number the first one had at the first change.
    GroupSession.objects.filter(pk=second.pk).update(sequence=0)
    change_group(group, acting_user=world.commissioner, location="Room 4", now=NOW)
    told = Notification.objects.filter(kind=GroupNotificationKind.WHERE_CHANGED, recipient=world.member)
    assert [n.context["location"] for n in told.order_by("pk")] == ["Room 3", "Room 4"]


def test_a_later_last_date_makes_the_sessions_up_to_it_at_once(world):
    group = make_group(world, last_date=datetime.date(2026, 12, 31))
    assert group.sessions.count() == 2

    change = change_group(group, acting_user=world.commissioner, last_date=datetime.date(2027, 3, 31), now=NOW)

    assert (change.cancelled, change.added) == (0, 3)
    assert [s.starts_at.date() for s in sessions_of(group)][2:] == [
        datetime.date(2027, 1, 13),
        datetime.date(2027, 2, 10),
        datetime.date(2027, 3, 10),
    ]


def test_when_it_meets_cannot_change_and_only_the_pools_commissioner_changes_it(world, group):
    with pytest.raises(DomainError, match="When a group meets cannot be changed"):
        change_group(group, acting_user=world.commissioner, rrule="FREQ=WEEKLY", now=NOW)
    with pytest.raises(DomainError, match="Only the pool's commissioners"):
        change_group(group, acting_user=world.other_commissioner, title="Mine now", now=NOW)
    assert ReflectiveGroup.objects.get().title == "Leeds reflective practice"


@pytest.mark.usefixtures("frozen_now")
def test_the_change_page_saves_says_what_happened_and_is_404_for_another_pool(client, world, group):
    signed_in(client, world.commissioner)
    url = reverse("group_change", args=[world.pool.pk, group.pk])
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"location": "Room 9", "facilitator": group.facilitator_id, "all_pool_organisations": "on"}
    data.pop("eligible_organisations", None)
    response = client.post(url, data, follow=True)
    assert response.redirect_chain == [(reverse("group_manage", args=[world.pool.pk, group.pk]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["The group is changed."]
    assert ReflectiveGroup.objects.get().location == "Room 9"

    response = client.post(url, data | {"capacity": "0", "title": "Renamed"})
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    # The refused change is not shown as if made: the page still names the group as it is.
    assert response.context["group"].title == "Leeds reflective practice"

    signed_in(client, world.other_commissioner)
    assert client.get(url).status_code == 404
    assert client.post(url, data | {"location": "Elsewhere"}).status_code == 404
    assert ReflectiveGroup.objects.get().location == "Room 9"


def test_the_admin_may_pause_a_group_but_not_change_its_room(client, group, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("admin:scheduling_reflectivegroup_change", args=[group.pk]))
    assert page.status_code == 200
    fields = page.context["adminform"].form.fields
    assert "status" in fields and "title" in fields
    assert not {"capacity", "overbooking_percent", "location", "online_link", "last_date", "rrule"} & set(fields)


def test_the_admin_cannot_delete_a_group_or_session_nor_move_a_session_to_another_group(
    client, group, session, admin_user
):
    client.force_login(admin_user)
    for model, obj in (("reflectivegroup", group), ("groupsession", session)):
        assert client.get(reverse(f"admin:scheduling_{model}_delete", args=[obj.pk])).status_code == 403
    page = client.get(reverse("admin:scheduling_groupsession_change", args=[session.pk]))
    assert page.status_code == 200
    assert "group" not in page.context["adminform"].form.fields


@pytest.mark.usefixtures("frozen_now")
def test_a_title_changed_in_the_admin_renews_the_coming_calendar_entries_and_is_audited(client, group, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:scheduling_reflectivegroup_change", args=[group.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name in form.fields}
    data |= {"title": "Harehills circle", "eligible_organisations": []}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ReflectiveGroup.objects.get().title == "Harehills circle"
    assert {s.sequence for s in sessions_of(group)} == {1}
    event = AuditEvent.objects.get(action="reflective_group.changed")
    assert (event.actor, event.details["fields"], event.details["via"]) == (admin_user, ["title"], "admin")
    # Only verified supervisors may be chosen to facilitate.
    assert set(form.fields["facilitator"].queryset) == {group.facilitator}
