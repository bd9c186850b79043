"""Who added an endpoint is in their data export; erasing them forgets it and leaves the
pool's or the organisation's endpoint working (docs/webhooks.md, "Data protection")."""

from __future__ import annotations

import json

import pytest

from reflect.data_protection.erasure import erase_account
from reflect.data_protection.export import export_document
from tests.factories.webhooks import endpoint_for

pytestmark = pytest.mark.django_db


def test_the_endpoint_is_in_its_makers_export_and_outlives_their_erasure(world) -> None:
    endpoint, _ = endpoint_for(
        organisation=world.organisation, url="https://hr.example.org/reflect", by=world.colleague
    )

    exported = json.dumps(export_document(world.colleague), default=str)
    assert "https://hr.example.org/reflect" in exported
    assert "https://hr.example.org/reflect" not in json.dumps(export_document(world.member), default=str)

    assert erase_account(world.colleague, acting_user=world.colleague) is True

    endpoint.refresh_from_db()
    assert (endpoint.created_by, endpoint.is_active, endpoint.url) == (None, True, "https://hr.example.org/reflect")
