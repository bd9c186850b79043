"""allauth's sign-in and sign-up forms with our labels (ACCOUNT_FORMS in settings),
so their fields, and the messages that name them (reflect/form_errors.py), read as ours:
"Enter your e-mail address", not "Enter email". A module of its own: allauth's forms import
reflect.forms (SIGNUP_FORM_CLASS), so reflect.forms cannot import them."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms

from reflect.text_limits import bounded

# Every text box has a limit said in words (docs/security.md, "Length limits"): allauth's have
# none, so these say them. 320 is the longest e-mail address; 128 is Django's password column.
EMAIL, PASSWORD, USERNAME = 320, 128, 150

LABELS = {
    "login": "Your e-mail address",
    "email": "Your e-mail address",
    "password": "Password",
    "password1": "Password",
    "password2": "Password again",
    "remember": "Remember me on this device",
}


def _relabel(form: Any) -> None:
    for name, label in LABELS.items():
        if name in form.fields:
            form.fields[name].label = label


class SignInForm(allauth_forms.LoginForm):
    password = allauth_forms.PasswordField(
        label="Password", autocomplete="current-password", **bounded("your password", PASSWORD)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)


class SignUpForm(allauth_forms.SignupForm):
    # allauth removes the username box when, as here, accounts have no username.
    username = forms.CharField(label="Username", required=False, **bounded("a username", USERNAME))
    email = forms.EmailField(label="Your e-mail address", **bounded("your e-mail address", EMAIL))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)
