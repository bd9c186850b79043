"""The main journey pages work from the keyboard alone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.steps import checked, heading, visit
from tests.factories.core import PASSWORD, UserFactory


def focused(page: Any) -> dict[str, str]:
    return page.evaluate(
        "() => ({tag: document.activeElement.tagName, id: document.activeElement.id,"
        " text: document.activeElement.innerText || '', name: document.activeElement.name || ''})"
    )


def tab_to(page: Any, name: str, *, limit: int = 20) -> None:
    """Press Tab until the form field called ``name`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page)["name"] == name:
            return
    raise AssertionError(f"Tab never reached the field {name!r}")


@pytest.mark.django_db(transaction=True)
def test_skip_link_and_signing_in_with_the_keyboard(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    user = UserFactory(email="sam@harehills-drama.example.org", first_name="Sam")
    page = person()
    visit(page, base + "/accounts/login/")

    # The first Tab reaches the skip link; Enter moves the focus to the main content.
    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "A", "id": "", "text": "Skip to main content", "name": ""}
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main-content"

    # From there, the sign-in form is filled in and sent with the keyboard alone.
    tab_to(page, "login")
    page.keyboard.type(user.email)
    tab_to(page, "password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    checked(page)
    assert page.url == base + "/"
    assert heading(page) == "Hello, Sam"
