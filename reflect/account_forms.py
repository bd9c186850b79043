"""allauth's sign-in and sign-up forms with our labels (ACCOUNT_FORMS in settings),
so their fields, and the messages that name them (reflect/form_errors.py), read as ours:
"Enter your e-mail address", not "Enter email". A module of its own: allauth's forms import
reflect.forms (SIGNUP_FORM_CLASS), so reflect.forms cannot import them."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms

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
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)


class SignUpForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _relabel(self)
