"""Steps the browser journeys share: visiting a page (always with an axe-core check), signing
in with a second factor, and following links from the e-mails Django's locmem backend keeps."""

from __future__ import annotations

import re
import time
from typing import Any

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail

from tests.e2e.conftest import assert_accessible

PASSWORD = "a-long-and-unusual-passphrase-42"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own RFC 6238 helper.

    allauth accepts only the current 30-second step, so a code about to expire is not used:
    wait for the next step instead, as a person would.
    """
    now = time.time()
    if now % 30 > 27:
        time.sleep(30 - now % 30 + 0.1)
        now = time.time()
    return format_hotp_value(hotp_value(secret, int(now) // 30))


def checked(page: Any) -> Any:
    """Every page a journey reaches gets the axe-core WCAG 2.2 A/AA check."""
    assert_accessible(page)
    return page


def visit(page: Any, url: str) -> Any:
    page.goto(url)
    return checked(page)


def submit(page: Any, name: str) -> Any:
    """Press a form's button and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name=name, exact=True).click()
    return checked(page)


def follow(page: Any, name: str) -> Any:
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=name, exact=True).click()
    return checked(page)


def heading(page: Any) -> str:
    return page.locator("h1").inner_text().strip()


def link_in_last_email(to: str, pattern: str) -> str:
    """The link matching ``pattern`` in the latest e-mail sent to ``to``."""
    sent = [message for message in mail.outbox if to in message.to]
    assert sent, f"no e-mail to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}"
    found = re.search(pattern, sent[-1].body)
    assert found, sent[-1].body
    return found.group(0)


def sign_in(page: Any, base: str, email: str, password: str, *, secret: str | None = None) -> None:
    visit(page, base + "/accounts/login/")
    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    submit(page, "Sign in")
    if secret is not None:
        assert page.url == base + "/accounts/2fa/authenticate/"
        page.get_by_label("Code").fill(totp_code(secret))
        submit(page, "Sign in")
    assert page.url == base + "/"


def type_date(page: Any, legend: str, day: Any) -> None:
    """Type a date into the day, month and year boxes of the GOV.UK date input under ``legend``
    (reflect/fields.py), as a person would."""
    group = page.locator("main fieldset").filter(has=page.locator("legend", has_text=legend))
    group.get_by_label("Day", exact=True).fill(str(day.day))
    group.get_by_label("Month", exact=True).fill(str(day.month))
    group.get_by_label("Year", exact=True).fill(str(day.year))


def lines_of_sign_out(page: Any) -> int:
    """How many lines the header's "Sign out" button takes: the distinct tops of its text's
    line boxes (1 when its two words stay together)."""
    return page.locator("form[action$='/logout/'] button").evaluate(
        """button => {
            const range = document.createRange();
            range.selectNodeContents(button);
            const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
            return new Set(tops).size;
        }"""
    )
