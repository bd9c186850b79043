"""Crawl the demo as each of its people and check every number a page writes (docs/conventions.md,
"Wording of numbers and dates"): no page answers 4xx or 5xx, and no page writes "1 hours", hours
that are not whole or half, a negative duration, a 24-hour time, an ISO date, or a second mark for
a suppressed count.

The Django test client, no browser: start at the home page, follow every same-site link
breadth-first (GET only, never sign-out, erasure or downloads), at most PAGES_PER_ROLE pages each.
"""

from __future__ import annotations

import io
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from reflect.models import User
from scheduling.models import GroupSession, ReflectiveGroup, WaitlistEntry, WaitlistStatus
from tests.factories.core import give_two_factor

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 150
ROLES = ["staff", "lead", "supervisor", "commissioner"]

# Never followed: they sign out, erase, or answer a file rather than a page.
SKIP = re.compile(
    r"^/(?:accounts/(?:logout|email|password|3rdparty|2fa|reauthenticate)|admin/|static/|media/|my-data/)"
    r"|^/account/data/|logout|erase|withdraw|remove|cancel/confirm|download|export|\.(?:csv|ics|pdf|json|txt|png|jpg)$"
    r"|/feed/|/calendar/[^/]+\.ics"
)

RULES = {
    "one hours": re.compile(r"\b1 hours\b"),
    "hours not whole or half": re.compile(r"\b\d+\.(?!5\b)\d+ hours?\b"),
    "a negative duration": re.compile(r"(?:^|[\s(])[-−]\d+(?:\.\d+)? (?:days?|hours?|minutes?|weeks?)\b"),
    "a 24-hour time": re.compile(r"\b(?:[01]\d|2[0-3]):[0-5]\d\b(?!\s?[ap]m)"),
    "an ISO date": re.compile(r"\b20\d\d-[01]\d-[0-3]\d\b"),
    "pence on whole pounds": re.compile(r"£[\d,]+\.00\b"),
}
EXACT_HOURS_ALLOWED = "hours not whole or half"

# The ways a page might mark a count too small to show: all pages must use one of them only.
SUPPRESSION_MARKS = {
    "fewer than": re.compile(r"\bfewer than \d+\b"),
    "less-than sign": re.compile(r"(?:^|\s)[<≤]\s?\d+\b"),
    "suppressed": re.compile(r"\bsuppressed\b", re.I),
}


# The one place hours are written exact to the hundredth with their unit (docs/conventions.md,
# "the one exception": hours beside what they cost, which must agree with it): the dashboard's
# money section, from its heading to the next. Every other rule still applies there.
EXACT_HOURS_SECTIONS = {"money"}


class _Page(HTMLParser):
    """The text a person reads (no scripts, styles or attributes) and the links on a page; the
    text of a section where hours are exact (``EXACT_HOURS_SECTIONS``) apart."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.exact_hours_text: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._in_exact_section = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag in ("h1", "h2"):
            self._in_exact_section = dict(attrs).get("id") in EXACT_HOURS_SECTIONS
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            (self.exact_hours_text if self._in_exact_section else self.text).append(data)


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wording: list[str] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)


def _same_site(href: str, here: str) -> str | None:
    href, _ = urldefrag(href)
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel", "javascript", "webcal") or (parts.netloc and parts.netloc != "testserver"):
        return None
    if not parts.path.startswith("/"):
        if parts.path or not parts.query:
            return None  # relative paths: the site writes none; a bare "?week=…" stays on this page
        return f"{urlsplit(here).path}?{parts.query}"
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client) -> Crawl:
    found = Crawl()
    queue, seen = deque(["/"]), {"/"}
    while queue and len(found.visited) < PAGES_PER_ROLE:
        address = queue.popleft()
        response = client.get(address)
        found.visited.append(address)
        if response.status_code >= 400:
            found.errors.append(f"{address}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            target = _same_site(response["Location"], address)
            if target and target not in seen and not SKIP.search(target):
                seen.add(target)
                queue.append(target)
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.content.decode())
        text = " ".join(" ".join(page.text).split())
        exact = " ".join(" ".join(page.exact_hours_text).split())
        for rule, pattern in RULES.items():
            for part in (text, exact) if rule != EXACT_HOURS_ALLOWED else (text,):
                for match in pattern.finditer(part):
                    start = max(match.start() - 40, 0)
                    found.wording.append(f"{address}: {rule}: …{part[start : match.end() + 20]}…")
        text = f"{text} {exact}"
        for mark, pattern in SUPPRESSION_MARKS.items():
            if mark not in found.marks and pattern.search(text):
                found.marks[mark] = address
        for href in page.links:
            target = _same_site(href, address)
            if target and target not in seen and not SKIP.search(target):
                seen.add(target)
                queue.append(target)
    return found


def _signed_in_as(user: User) -> Client:
    give_two_factor(user)
    client = Client()
    client.force_login(user)
    return client


def test_the_rules_catch_what_they_are_for():
    # A control: each rule finds its mistake and passes the wording the rules ask for.
    bad = {
        "one hours": "1 hours left",
        "hours not whole or half": "60.82 hours left",
        "a negative duration": "median −19 days to first session",
        "a 24-hour time": "Wednesday 9 December 2026, 14:00",
        "an ISO date": "from 2027-01-14",
        "pence on whole pounds": "£60.00 an hour",
    }
    good = "1 hour, 1.5 hours, 61 hours, 9:30am to 2pm, midday, Thursday 14 January 2027, 3 to 5 days, £60, £12.50"
    for rule, text in bad.items():
        assert RULES[rule].search(text), rule
        assert not RULES[rule].search(good), rule


def test_every_demo_role_can_walk_the_site_and_every_number_follows_the_wording_rules():
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    marks: dict[str, str] = {}
    errors: list[str] = []
    wording: list[str] = []
    people = {role: User.objects.get(email=f"{role}@demo.reflect.test") for role in ROLES}
    # Who facilitates a demo group and who has a place held for them are found, not assumed:
    # the demo may give those parts to people other than the four above.
    facilitated = ReflectiveGroup.objects.filter(facilitator__isnull=False).select_related("facilitator__user")
    facilitator = facilitated.first().facilitator.user  # type: ignore[union-attr]
    offer = WaitlistEntry.objects.select_related("user").get(status=WaitlistStatus.OFFERED)
    people |= {"facilitator": facilitator, "held offer": offer.user}
    walks: dict[int, Crawl] = {}
    for role, person in people.items():
        # The same person in two parts is walked once: the crawl sees everything they may see.
        found = walks.get(person.pk) or crawl(_signed_in_as(person))
        walks[person.pk] = found
        assert len(found.visited) > 5, (role, found.visited)  # the crawl really walked
        for problem in found.errors:
            errors.append(f"{role} {problem}")
        for problem in found.wording:
            wording.append(f"{role} {problem}")
        marks.update({mark: f"{role} {address}" for mark, address in found.marks.items()})
    assert errors == []
    assert wording == []
    # The parts were really walked: the facilitator reached a register of their group, and the
    # person with the held offer the session whose place is held for them.
    registers = {
        f"/groups/facilitate/sessions/{pk}/"
        for pk in GroupSession.objects.filter(group__in=facilitated).values_list("pk", flat=True)
    }
    assert registers & set(walks[facilitator.pk].visited), walks[facilitator.pk].visited
    assert f"/groups/sessions/{offer.session_id}/" in walks[offer.user.pk].visited
    # One mark for a count too small to show, everywhere.
    assert len(marks) <= 1, marks


def test_hours_are_exact_only_in_the_section_where_they_stand_beside_their_cost():
    # A control for the one exception: the money section's text is checked apart, up to the
    # next heading; the same figure anywhere else is still a mistake.
    page = _Page()
    page.feed(
        '<h2 id="money">Money and hours</h2><p>Used in the period 60.82 hours</p>'
        '<h2 id="supervision">Supervision</h2><p>Booked 1.25 hours</p>'
    )
    exact, text = " ".join(page.exact_hours_text), " ".join(page.text)
    assert "60.82 hours" in exact and "60.82 hours" not in text
    assert "1.25 hours" in text and RULES[EXACT_HOURS_ALLOWED].search(text)
