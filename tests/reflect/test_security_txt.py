"""Where to report a vulnerability, as RFC 9116 asks (docs/security.md)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 6, 20, 0, tzinfo=datetime.UTC)


@override_settings(SECURITY_CONTACT="mailto:security@reflect.example.org", SITE_URL="https://reflect.example.org")
def test_security_txt_names_the_contact_and_expires_within_a_year(client):
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = client.get("/.well-known/security.txt")
    assert reverse("security_txt") == "/.well-known/security.txt"
    assert (response.status_code, response["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert response.content.decode().splitlines() == [
        "Contact: mailto:security@reflect.example.org",
        "Expires: 2027-12-06T20:00:00Z",
        "Preferred-Languages: en",
        "Canonical: https://reflect.example.org/.well-known/security.txt",
    ]
