"""What a group is for (docs/groups.md, "Purposes"): a community of practice is hosted by a
member of the pool's staff, who keeps its register, with no facilitator; staff see each group's
purpose and may look at one purpose only."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import Membership
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import GroupPurpose, Place, ReflectiveGroup
from scheduling.services.calendar_feed import build_feed, feed_version
from tests.factories.core import give_two_factor
from tests.factories.groups import NOW, ReflectiveGroupFactory, make_group
from tests.scheduling.groups.test_views import group_form_data


def _community(world, **fields) -> ReflectiveGroup:
    return make_group(
        world,
        title="Peer support workers' community of practice",
        purpose=GroupPurpose.COMMUNITY,
        host=world.colleague,
        facilitator=None,
        **fields,
    )


def _host_then(world, change: str) -> None:
    """The host (world.colleague) becomes a lead of their organisation, or leaves it."""
    membership = Membership.objects.get(user=world.colleague, organisation=world.organisation)
    if change == "becomes a lead":
        membership.is_lead = True
        membership.save(update_fields=["is_lead"])
    else:
        membership.left_at = timezone.now()
        membership.save(update_fields=["left_at"])


def test_a_community_of_practice_needs_a_host_from_the_pool_and_no_facilitator(world):
    group = _community(world)
    assert (group.facilitator, group.host, group.facilitator_name, group.led_by_words) == (
        None,
        world.colleague,
        world.colleague.display_name,
        f"Hosted by {world.colleague.display_name}",
    )
    with pytest.raises(DomainError, match="Name a host who is staff of one of this pool's organisations"):
        make_group(world, purpose=GroupPurpose.COMMUNITY, host=world.outsider, facilitator=None)
    with pytest.raises(DomainError, match="Choose the facilitator: the supervisor who runs the session"):
        make_group(world, purpose=GroupPurpose.LEARNING, facilitator=None)
    # An external name alone could keep no register, so no need would ever be met.
    with pytest.raises(DomainError, match="Choose the facilitator: the supervisor who runs the session"):
        make_group(world, purpose=GroupPurpose.LEARNING, facilitator=None, external_facilitator_name="A provider")
    with pytest.raises(DomainError, match="Only a community of practice has a host"):
        make_group(world, host=world.colleague)
    # The host sees who comes: a lead of one of the pool's organisations may not host.
    with pytest.raises(DomainError, match="Name a host who does not lead an organisation in this pool"):
        make_group(world, purpose=GroupPurpose.COMMUNITY, host=world.lead, facilitator=None)


def test_the_database_refuses_a_community_without_a_host_and_a_group_without_anyone(world):
    for fields in (
        {"purpose": GroupPurpose.COMMUNITY, "external_facilitator_name": ""},
        {"purpose": GroupPurpose.REFLECTIVE, "external_facilitator_name": ""},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            ReflectiveGroupFactory(pool=world.pool, **fields)
    ReflectiveGroupFactory(
        pool=world.pool, purpose=GroupPurpose.COMMUNITY, external_facilitator_name="", host=world.member
    )


def test_the_host_keeps_the_register_and_nobody_else_in_the_pool_does(client, world):
    group = _community(world)
    session = group.sessions.order_by("starts_at").first()
    place = book_place(session, acting_user=world.member, now=NOW)
    mark_place_attendance(place, True, acting_user=world.colleague, now=session.ends_at)
    assert Place.objects.get(pk=place.pk).status == "attended"
    give_two_factor(world.colleague)
    client.force_login(world.colleague)
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 200
    assert client.get(reverse("group_facilitated")).context["rows"][0]["session"] == session
    give_two_factor(world.lead)
    client.force_login(world.lead)
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 404


@pytest.mark.parametrize("change", ["becomes a lead", "leaves"])
def test_a_host_who_later_leads_or_leaves_no_longer_keeps_the_register(client, world, change):
    group = _community(world)
    session = group.sessions.order_by("starts_at").first()
    give_two_factor(world.colleague)
    client.force_login(world.colleague)
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 200
    assert "Groups you run" in client.get(reverse("home")).content.decode()
    _host_then(world, change)
    assert client.get(reverse("group_register", args=[session.pk])).status_code == 404
    assert client.get(reverse("group_facilitated")).context["rows"] == []
    assert "Groups you run" not in client.get(reverse("home")).content.decode()
    with pytest.raises(Http404):  # nor can they mark anyone
        mark_place_attendance(
            book_place(session, acting_user=world.member, now=NOW),
            True,
            acting_user=world.colleague,
            now=session.ends_at,
        )


def test_the_commissioner_creates_a_community_of_practice_naming_its_host_by_address(client, world):
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    no_facilitator = SimpleNamespace(pk="")
    data = group_form_data(no_facilitator, purpose="community", host_email=world.colleague.email.upper())
    response = client.post(reverse("group_create", args=[world.pool.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    group = ReflectiveGroup.objects.get()
    assert (group.purpose, group.host, group.facilitator) == (GroupPurpose.COMMUNITY, world.colleague, None)
    data["host_email"] = world.outsider.email
    response = client.post(reverse("group_create", args=[world.pool.pk]), data)
    assert response.context["form"].errors == {
        "host_email": ["Enter the e-mail address of someone in one of this pool's organisations."]
    }
    data["host_email"] = world.lead.email
    response = client.post(reverse("group_create", args=[world.pool.pk]), data)
    assert response.context["form"].errors == {
        "host_email": [
            "Name a host who does not lead an organisation in this pool: the host sees who comes, "
            "and a lead must not see which of their staff do."
        ]
    }
    data["host_email"] = ""
    response = client.post(reverse("group_create", args=[world.pool.pk]), data)
    assert response.context["form"].errors == {
        "host_email": ["Enter the e-mail address of the person who hosts the community of practice."]
    }
    assert ReflectiveGroup.objects.count() == 1


def test_staff_see_each_groups_purpose_and_may_look_at_one(client, world):
    now = timezone.now()
    make_group(world, title="Reflective drop-in", now=now)
    _community(world, now=now)
    client.force_login(world.member)
    page = client.get(reverse("group_sessions")).content.decode()
    assert "Community of practice" in page and "Reflective group" in page
    titles = [
        row["ranked"].option.title
        for row in client.get(reverse("group_sessions"), {"purpose": "community"}).context["ranked"]
    ]
    assert titles == ["Peer support workers' community of practice"]
    group = ReflectiveGroup.objects.get(purpose=GroupPurpose.COMMUNITY)
    detail = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    assert f"Hosted by {world.colleague.display_name}" in detail


def test_the_hosts_private_feed_has_the_sessions_they_host(world):
    from scheduling.services.calendar_feed import build_feed

    group = _community(world)
    first = group.sessions.order_by("starts_at").first()
    assert f"UID:group-session-{first.pk}@reflect" in build_feed(world.colleague, now=NOW).body
    assert "UID:group-session-" not in build_feed(world.lead, now=NOW).body


def test_messages_and_calendar_entries_say_hosted_by_for_a_host(world):
    """A community of practice's host hosts it: its messages never say "facilitated by"."""
    from django.core import mail

    from reflect.models import Notification
    from reflect.services.notifications import deliver_notification
    from scheduling.groups.calendar import group_session_event
    from scheduling.notification_kinds import GroupNotificationKind

    group = _community(world)
    first = group.sessions.order_by("starts_at").first()
    missed = book_place(first, acting_user=world.member, now=NOW)
    mark_place_attendance(missed, False, acting_user=world.colleague, now=first.ends_at)
    for kind in (GroupNotificationKind.PLACE_BOOKED, GroupNotificationKind.MISSED_SESSION):
        deliver_notification(Notification.objects.filter(kind=kind).first().pk)
    booked, missed_message = mail.outbox
    assert "hosted by Chris Example." in booked.body and "acilitat" not in booked.body
    assert "talk to Chris Example, the host, you can write to" in missed_message.body
    assert "acilitat" not in missed_message.body
    assert group_session_event(first).description.startswith("Hosted by Chris Example.")
    # A reflective group still says its facilitator.
    assert group_session_event(make_group(world).sessions.first()).description.startswith("Facilitated by Ann Carter.")


@pytest.mark.parametrize("change", ["becomes a lead", "leaves"])
def test_a_host_who_later_leads_or_leaves_gets_a_new_feed_version_without_the_groups_sessions(world, change):
    # A calendar asks with the version it holds; an unchanged version would keep the host's old
    # feed, sessions and all, until something else changed.
    group = _community(world)
    session = group.sessions.order_by("starts_at").first()
    before = feed_version(world.colleague, now=NOW)
    assert session.ics_uid in build_feed(world.colleague, now=NOW).body
    _host_then(world, change)
    assert feed_version(world.colleague, now=NOW).etag != before.etag
    assert session.ics_uid not in build_feed(world.colleague, now=NOW).body
