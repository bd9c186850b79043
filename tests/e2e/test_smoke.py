import pytest

from tests.e2e.conftest import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_public_home_page_is_accessible(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Clinical supervision and reflective practice, shared"
    assert_accessible(page)
