import pytest

from reflect.upcoming import weekly_audience
from tests.factories.core import UserFactory
from tests.factories.supervision import RegisteredSupervisorFactory

pytestmark = pytest.mark.django_db


def test_verified_supervisors_and_leads_get_the_weekly_summary(world):
    verified = UserFactory()
    RegisteredSupervisorFactory(user=verified, profession="Counsellor")
    RegisteredSupervisorFactory(profession="Not yet checked", verified_at=None)
    assert weekly_audience() == {verified.pk, world.lead.pk, world.outsider.pk}
