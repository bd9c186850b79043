import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_page_has_a_strict_content_security_policy(client):
    csp = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_templates_contain_no_inline_script_or_style():
    from pathlib import Path

    offenders = []
    for path in Path("templates").rglob("*.html"):
        text = path.read_text()
        if "style=" in text or "<style" in text or ("<script" in text and '<script type="module" src=' not in text):
            offenders.append(str(path))
    assert offenders == []


def test_custom_error_pages(client, world):
    client.force_login(world.outsider)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    response = client.get(reverse("organisation_invite", args=[world.organisation.pk]))
    assert response.status_code == 404
    client.force_login(world.member)
    response = client.get(reverse("organisation_invite", args=[world.organisation.pk]))
    assert response.status_code == 403
    assert "Only the organisation&#x27;s lead can do this." in response.content.decode()


def test_server_error_page_renders_without_the_database(rf):
    from reflect.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Sorry, there is a problem with Reflect" in response.content.decode()
