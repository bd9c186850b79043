"""seed_demo's learning sessions: one held (with its register and answers), one coming that the
demo member of staff is offered from their home page, and a community of practice."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from learning.models import LearningNeed
from learning.session_models import FeedbackGiven, FeedbackTally
from reflect.models import User
from scheduling.models import GroupPurpose, ReflectiveGroup

pytestmark = pytest.mark.django_db


def test_the_demo_has_two_learning_sessions_and_a_community_of_practice(client):
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())  # again: nothing more
    learning = ReflectiveGroup.objects.filter(purpose=GroupPurpose.LEARNING).order_by("first_date")
    assert [group.title for group in learning] == ["Working with complex trauma", "Risk enablement in practice"]
    past = learning[0].sessions.get()
    assert (past.places_attended, past.places_absent) == (12, 1)
    assert sorted(FeedbackTally.objects.filter(session=past).values_list("answer", "count")) == [
        ("no", 1),
        ("partly", 2),
        ("yes", 9),
    ]
    assert FeedbackGiven.objects.count() == 12
    assert LearningNeed.objects.filter(topic__slug="working-with-complex-trauma", met_at=past.ends_at).count() == 12
    community = ReflectiveGroup.objects.get(purpose=GroupPurpose.COMMUNITY)
    assert community.host.email == "staff@demo.reflect.test"

    client.force_login(User.objects.get(email="staff@demo.reflect.test"))
    home = client.get(reverse("home")).content.decode()
    assert "Book a place: Risk enablement in practice" in home
