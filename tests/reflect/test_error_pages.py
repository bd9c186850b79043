"""A wrong method and a missing page get designed pages with the site's header, navigation and
footer (reflect/middleware.py MethodNotAllowedPageMiddleware, templates/errors/)."""

from __future__ import annotations

import re

import pytest
from django.http import HttpResponseNotAllowed
from django.urls import reverse

from reflect.middleware import MethodNotAllowedPageMiddleware
from tests.hostile.rows import row_counts

pytestmark = pytest.mark.django_db


def _title(page: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", page, re.S).group(1).split())


def _has_the_site_around_it(page: str) -> bool:
    return all(part in page for part in ('class="govuk-header"', 'class="govuk-footer', 'id="main-content"'))


def test_a_get_to_a_button_address_is_a_designed_405_that_keeps_the_allow_header(client, world):
    client.force_login(world.lead)
    before = row_counts()
    # Making a new calendar link is a button's address: a GET (a bookmark) must change nothing.
    response = client.get(reverse("calendar_regenerate"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert _title(page) == "This page cannot be opened this way – Reflect"
    assert '<h1 class="govuk-heading-l">This page cannot be opened this way</h1>' in page
    assert "Nothing has been changed." in page
    assert _has_the_site_around_it(page)
    assert row_counts() == before


def test_a_405_for_someone_not_signed_in_is_the_same_page(client):
    response = client.delete("/health/signed-in/")
    assert response.status_code == 405
    assert "This page cannot be opened this way" in response.content.decode()
    assert response["Allow"]


def test_a_missing_page_is_the_govuk_page_not_found(client, world):
    client.force_login(world.member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert _title(page) == "Page not found – Reflect"
    assert "If you typed the web address, check it is correct." in page
    assert _has_the_site_around_it(page)


def test_a_405_with_its_own_body_is_left_alone(rf):
    answer = HttpResponseNotAllowed(["GET"], content=b"already written")
    response = MethodNotAllowedPageMiddleware(lambda request: answer)(rf.post("/"))
    assert response is answer
