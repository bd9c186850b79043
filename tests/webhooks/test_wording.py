"""The webhook's messages word their numbers through reflect.wording, as every page does."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reflect.errors import DomainError
from tests.factories.webhooks import endpoint_for
from webhooks import services

pytestmark = pytest.mark.django_db


def test_an_hour_of_failures_is_one_hour(world, settings) -> None:
    settings.WEBHOOK_DISABLE_AFTER_HOURS = 1
    endpoint, _ = endpoint_for(pool=world.pool)
    services._disable_after_failures(endpoint, timezone.now())
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "Turned off after 1 hour in which no delivery worked."


def test_the_limit_of_one_endpoint_is_worded_so(world, receiver, monkeypatch) -> None:
    monkeypatch.setattr(services, "MAX_ENDPOINTS", 1)
    endpoint_for(pool=world.pool)
    with pytest.raises(DomainError, match=r"^You can have at most 1 endpoint\. Delete one first\.$"):
        services.register_endpoint(world.pool, acting_user=world.commissioner, url=receiver.url, events=["place.taken"])
