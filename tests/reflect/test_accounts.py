import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from reflect.models import User
from tests.factories.core import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_up_needs_a_verified_email_before_signing_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "Amira@Example.org",
                "first_name": "Amira",
                "last_name": "Khan",
                "password1": "a-calm-long-password",
                "password2": "a-calm-long-password",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="amira@example.org")
    assert (user.first_name, user.last_name) == ("Amira", "Khan")
    assert EmailAddress.objects.get(user=user).verified is False
    # Signing in before confirming only re-sends the confirmation.
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    confirm = client.post(path)
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True


def test_sign_up_form_errors_are_field_by_field(client):
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {"email": "taken@example.org", "first_name": "", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["first_name"] == ["Enter first name"]
    assert errors["password1"] == ["This password is too short. It must contain at least 10 characters."]
    # allauth does not say whether an address is registered (no account enumeration).
    assert "email" not in errors
    assert "There is a problem" in response.content.decode()


def test_failed_sign_ins_are_rate_limited(client, settings):
    UserFactory(email="someone@example.org")
    messages = []
    for _ in range(7):
        response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": "wrong"})
        messages.append(response.context["form"].non_field_errors())
    # Once the per-address limit (5 failures in 5 minutes) is spent, allauth refuses to check.
    assert messages[:5] == [["The email address and/or password you specified are not correct."]] * 5
    assert messages[5:] == [["Too many failed login attempts. Try again later."]] * 2
    # And the right password is refused too while limited.
    response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": PASSWORD})
    assert response.context["form"].non_field_errors() == ["Too many failed login attempts. Try again later."]


def test_sign_in_with_the_right_password(client):
    UserFactory(email="someone@example.org")
    response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_reset_sends_an_email(client, django_capture_on_commit_callbacks):
    UserFactory(email="someone@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "someone@example.org"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["someone@example.org"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
