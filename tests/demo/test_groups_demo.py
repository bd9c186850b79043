import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reflect.models import User
from scheduling.groups.capacity import held_offers, places_free
from scheduling.models import GroupSession, WaitlistEntry, WaitlistStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_full_session_with_a_waitlist_and_a_place_held_for_the_demo_staff(client):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())  # again: nothing more
    session = GroupSession.objects.filter(group__title="Leeds evening reflective circle").order_by("starts_at").first()
    waiting = list(
        WaitlistEntry.objects.filter(session=session).order_by("joined_at").values_list("user__email", "status")
    )
    assert len(waiting) == 2
    assert waiting[0] == ("staff@demo.reflect.test", WaitlistStatus.OFFERED)
    assert waiting[1][1] == WaitlistStatus.WAITING
    assert session.places_taken == 3
    assert places_free(session, held_offers(session, timezone.now())) == 0

    client.force_login(User.objects.get(email="staff@demo.reflect.test"))
    panels = client.get(reverse("home")).context["panels"]
    assert (panels[0].title, panels[0].steps[0].label, panels[0].steps[0].url) == (
        "A place is held for you",
        "Take your place in Leeds evening reflective circle",
        reverse("group_session", args=[session.pk]),
    )
