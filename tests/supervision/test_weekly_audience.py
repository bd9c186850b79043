import datetime

import pytest

from reflect.upcoming import weekly_audience
from supervision.models import SupervisorProfile
from tests.factories.core import UserFactory

pytestmark = pytest.mark.django_db


def test_verified_supervisors_and_leads_get_the_weekly_summary(world):
    verified = UserFactory()
    SupervisorProfile.objects.create(
        user=verified, profession="Counsellor", verified_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)
    )
    SupervisorProfile.objects.create(user=UserFactory(), profession="Not yet checked")
    assert weekly_audience() == {verified.pk, world.lead.pk, world.outsider.pk}
