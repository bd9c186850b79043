"""Migration 0014: a supervisor's monthly capacity, stored twice, kept once on their profile."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supervision.models import SupervisorProfile
from tests.factories.migrations import migrated_back, migrated_forward
from tests.factories.supervision import SupervisorProfileFactory


@pytest.mark.django_db(transaction=True)
def test_the_capacity_set_in_the_availability_settings_becomes_the_profiles() -> None:
    # Ruth: 10 on her profile, 20 in her settings (the demo's case) -> 20, the one her bookings
    # were held to and her availability page showed. Sam: no limit in his settings -> his
    # profile's 8 stays. Ann: no settings row -> her profile's 6 stays.
    before, after = [("scheduling", "0013_supervisor_covering_index")], [("scheduling", "0014_one_monthly_capacity")]
    ruth, sam, ann = (SupervisorProfileFactory(monthly_capacity_hours=Decimal(h)) for h in ("10", "8", "6"))
    old_settings = migrated_back(before).get_model("scheduling", "AvailabilitySettings")
    old_settings.objects.create(supervisor_id=ruth.pk, monthly_capacity_hours=Decimal("20"))
    old_settings.objects.create(supervisor_id=sam.pk, monthly_capacity_hours=None)
    migrated_forward(after)
    capacities = dict(
        SupervisorProfile.objects.filter(pk__in=[ruth.pk, sam.pk, ann.pk]).values_list("pk", "monthly_capacity_hours")
    )
    assert capacities == {ruth.pk: Decimal("20.00"), sam.pk: Decimal("8.00"), ann.pk: Decimal("6.00")}
