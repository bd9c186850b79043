"""Personal access tokens: made on the account page behind two-factor, shown once, stored as a
hash, scoped, expiring, revocable, listed with their last use; and the browser's session with CSRF."""

from __future__ import annotations

import datetime
import hashlib
import json
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import PersonalAccessToken
from api.scopes import ALL_SCOPES
from api.services.tokens import MAX_LIVE_TOKENS, make_token, revoke_token
from reflect.errors import DomainError
from reflect.models import AuditEvent
from tests.api.conftest import token_client
from tests.factories.core import signed_in

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, world):
    signed_in(client, world.lead)
    response = client.post(
        reverse("api_token_new"),
        {"name": "Monthly report", "scopes": ["supervision:read", "groups:read"], "days": "30"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'value="(rfl_[A-Za-z0-9_-]{43})"', response.content.decode()).group(1)
    token = PersonalAccessToken.objects.get(user=world.lead)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(PersonalAccessToken.objects.filter(pk=token.pk).values().get())
    assert token.prefix == secret[4:12]
    assert token.scopes == ["supervision:read", "groups:read"]
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    # The list shows its beginning, never the whole secret.
    listing = client.get(reverse("api_tokens")).content.decode()
    assert f"rfl_{token.prefix}…" in listing
    assert secret not in listing
    assert "Never" in listing  # not used yet
    assert AuditEvent.objects.filter(action="api.token_made", actor=world.lead).count() == 1


def test_the_token_pages_need_two_factor(client, world):
    client.force_login(world.lead)  # no authenticator set up, not a demo account
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_required"))


def test_a_bad_form_changes_nothing_and_says_why(client, world):
    signed_in(client, world.lead)
    response = client.post(reverse("api_token_new"), {"name": "", "days": "3"})
    page = response.content.decode()
    assert "Give the token a name, so you can tell it apart later." in page
    assert "Choose what the token may do: at least one thing." in page
    assert PersonalAccessToken.objects.count() == 0


def test_last_use_is_recorded_and_listed(client, world, frozen_now):
    made = make_token(world.lead, name="Sync", scopes=["organisations:read"], days=7)
    assert _bearer(made.secret).get("/api/v1/organisations/").status_code == 200
    made.token.refresh_from_db()
    assert made.token.last_used_at == frozen_now


def test_a_revoked_or_expired_token_stops_working(world):
    made = make_token(world.lead, name="Sync", scopes=["organisations:read"], days=7)
    client = _bearer(made.secret)
    assert client.get("/api/v1/organisations/").status_code == 200
    revoke_token(made.token, acting_user=world.lead)
    revoke_token(made.token, acting_user=world.lead)  # a second click finds it revoked
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "This token does not work: it is wrong, has expired or was revoked. Make a new one on your account page."
    )
    assert AuditEvent.objects.filter(action="api.token_revoked").count() == 1

    expired = make_token(world.lead, name="Old", scopes=["organisations:read"], days=7)
    PersonalAccessToken.objects.filter(pk=expired.token.pk).update(
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert _bearer(expired.secret).get("/api/v1/organisations/").status_code == 401
    assert _bearer("rfl_" + "x" * 43).get("/api/v1/organisations/").status_code == 401
    assert _bearer("not-a-token").get("/api/v1/organisations/").status_code == 401


def test_revoking_on_the_account_page_asks_first_and_is_the_owners_alone(client, world):
    made = make_token(world.lead, name="Sync", scopes=["organisations:read"], days=7)
    url = reverse("api_token_revoke", args=[made.token.pk])
    signed_in(client, world.member)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    signed_in(client, world.lead)
    assert "Revoke “Sync”?" in client.get(url).content.decode()
    made.token.refresh_from_db()
    assert made.token.revoked_at is None  # asking changed nothing
    response = client.post(url)
    assert response["Location"] == reverse("api_tokens")
    made.token.refresh_from_db()
    assert made.token.revoked_at is not None


def test_scopes_limit_what_a_token_reaches(world, frozen_now):
    reader = token_client(world.member, ["supervision:read"])
    assert reader.get("/api/v1/bookings/").status_code == 200
    refused = reader.post("/api/v1/bookings/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "This token may not do that: make one with the scope it needs on your account page."
    )
    assert reader.get("/api/v1/groups/").status_code == 403
    assert reader.get("/api/v1/organisations/").status_code == 403
    writer = token_client(world.member, ["groups:write"])
    assert writer.get("/api/v1/groups/").status_code == 200  # write includes read
    assert writer.get("/api/v1/supervisors/").status_code == 403


def test_making_tokens_is_bounded(world):
    with pytest.raises(DomainError, match="Choose what the token may do"):
        make_token(world.lead, name="x", scopes=["everything:write"], days=30)
    with pytest.raises(DomainError, match="Choose when the token stops working"):
        make_token(world.lead, name="x", scopes=["groups:read"], days=10_000)
    for n in range(MAX_LIVE_TOKENS):
        make_token(world.lead, name=f"t{n}", scopes=list(ALL_SCOPES), days=7)
    with pytest.raises(DomainError, match="You already have 20 tokens that work"):
        make_token(world.lead, name="one more", scopes=["groups:read"], days=7)


def test_the_browser_session_needs_csrf_and_two_factor(world, frozen_now):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(world.member)
    # Without two-factor the session does not count: as if signed out.
    assert browser.get("/api/v1/bookings/").status_code == 401
    signed_in(browser, world.member)
    assert browser.get("/api/v1/bookings/").status_code == 200
    refused = browser.post("/api/v1/bookings/", {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("CSRF Failed")


def test_the_account_page_links_to_the_tokens(client, world):
    signed_in(client, world.lead)
    assert reverse("api_tokens") in client.get(reverse("account")).content.decode()


def test_the_export_lists_tokens_without_hashes_and_erasure_revokes_them(world):
    from reflect.data_protection.erasure import erase_account
    from reflect.data_protection.export import export_document

    made = make_token(world.member, name="Sync", scopes=["groups:read"], days=7)
    exported = json.dumps(export_document(world.member), default=str)
    assert "Your API tokens" in exported and "Sync" in exported
    assert made.token.token_hash not in exported and made.secret not in exported
    erase_account(world.member, acting_user=world.member)
    made.token.refresh_from_db()
    assert made.token.revoked_at is not None
    assert _bearer(made.secret).get("/api/v1/groups/").status_code == 401
