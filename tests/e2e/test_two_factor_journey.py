"""Two-factor authentication in a real browser: setting up an authenticator app (TOTP) from
its secret on the page, being asked for a code when signing in, and the commissioner's area
refusing entry until two-factor authentication is set up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from tests.e2e.steps import checked, follow, heading, sign_in, submit, totp_code, visit
from tests.factories.core import PASSWORD, PoolFactory, UserFactory, make_commissioner


def activate_totp(page: Any, password: str) -> str:
    """allauth first asks for the password again (a security change needs a fresh sign-in);
    then, on the activation page, read the secret as someone typing it into an app would and
    confirm with the first code. Returns the secret."""
    assert heading(page) == "Confirm access"
    page.get_by_label("Password").fill(password)
    submit(page, "Confirm")
    assert heading(page) == "Activate authenticator app"
    secret = page.locator("#authenticator_secret").input_value()
    assert len(secret) == 32
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    submit(page, "Activate")
    return secret


@pytest.mark.django_db(transaction=True)
def test_a_person_sets_up_totp_then_signs_in_with_a_code(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    user = UserFactory(email="sam@harehills-drama.example.org", first_name="Sam")
    page = person()
    sign_in(page, base, user.email, PASSWORD)

    visit(page, base + "/accounts/2fa/totp/activate/")
    secret = activate_totp(page, PASSWORD)
    assert page.url == base + "/accounts/2fa/recovery-codes/"
    assert heading(page) == "Recovery codes"
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert page.locator("#recovery_codes").input_value() == "\n".join(RecoveryCodes(recovery).get_unused_codes())
    assert len(RecoveryCodes(recovery).get_unused_codes()) == 10
    # Nobody sent them here from a protected area, so there is nowhere to continue to.
    assert page.locator("main").get_by_role("link", name="Continue").count() == 0
    assert Authenticator.objects.filter(user=user).order_by("type").values_list("type", flat=True)[::1] == [
        "recovery_codes",
        "totp",
    ]

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    checked(page)
    assert page.url == base + "/"
    assert page.get_by_role("navigation").get_by_role("link", name="Sign in", exact=True).count() == 1

    sign_in(page, base, user.email, PASSWORD, secret=secret)
    assert heading(page) == "Hello, Sam"


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_must_set_up_two_factor_before_reaching_their_pools(
    live_server: Any, person: Callable[[], Any]
) -> None:
    base = live_server.url
    pool = PoolFactory(name="Wakefield pool")
    commissioner = make_commissioner(pool, UserFactory(email="dan@wakefield-council.example.org", first_name="Dan"))
    page = person()
    sign_in(page, base, commissioner.email, PASSWORD)

    visit(page, base + "/pools/")
    assert page.url == base + "/account/two-factor-required/?next=%2Fpools%2F"
    assert heading(page) == "Set up two-factor authentication first"
    follow(page, "Set up two-factor authentication")
    activate_totp(page, PASSWORD)

    # allauth shows the new recovery codes, then offers the way back to the pools.
    assert page.url == base + "/accounts/2fa/recovery-codes/"
    follow(page, "Continue")
    assert page.url == base + "/pools/"
    assert heading(page) == "Your pools"
    assert page.locator("main").get_by_role("link", name="Wakefield pool").count() == 1
