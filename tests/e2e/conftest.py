"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django must allow its ORM here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Browser tests need Chromium at {CHROMIUM} (REQUIRE_BROWSER is set).")
    skip = pytest.mark.skip(reason="Chromium is not installed")
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ],
    }


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from the npm registry, served from disk) against WCAG 2.2 A and AA."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}));
        }"""
    )
    return result


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core found WCAG violations on {page.url}:\n" + json.dumps(violations, indent=2)


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # The site's CSP forbids inline script; the tests inject axe-core inline, so the test
    # browser alone bypasses it (the header itself is tested in tests/reflect/test_security.py).
    return {**browser_context_args, "bypass_csp": True, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    # allauth keeps used TOTP codes and rate-limit counters in the cache: a journey must not
    # inherit them from the one before (the same user id and code can recur within 90 s).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def person(browser: Any, browser_context_args: dict[str, Any]) -> Any:
    """Open a page in a fresh browser context (own cookies) for each person in a journey."""
    contexts = []

    def open_page() -> Any:
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


from tests.radicale import radicale  # noqa: E402,F401 - the CalDAV server the connected-calendar journey uses
