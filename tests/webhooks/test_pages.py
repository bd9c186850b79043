"""The webhook pages: reached from the pool's and the organisation's pages, adding an endpoint
shows its secret once, the endpoint's page costs the same queries whatever its history, and
nobody else's endpoints are found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories.core import signed_in
from tests.factories.webhooks import delivery_to, endpoint_for
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_the_pool_page_links_to_its_webhooks_and_the_lead_sees_their_organisations(client, world) -> None:
    signed_in(client, world.commissioner)
    pool_page = client.get(reverse("pool_detail", args=[world.pool.pk])).content.decode()
    assert reverse("webhook_pool_endpoints", args=[world.pool.pk]) in pool_page
    signed_in(client, world.lead)
    organisation_page = client.get(reverse("organisation_detail", args=[world.organisation.pk])).content.decode()
    assert reverse("webhook_organisation_endpoints", args=[world.organisation.pk]) in organisation_page
    signed_in(client, world.member)
    member_page = client.get(reverse("organisation_detail", args=[world.organisation.pk])).content.decode()
    assert "webhooks" not in member_page


def test_adding_an_endpoint_shows_its_secret_once(client, world, receiver) -> None:
    signed_in(client, world.commissioner)
    response = client.post(
        reverse("webhook_pool_endpoint_add", args=[world.pool.pk]),
        {"url": receiver.url, "description": "Funder dashboard", "events": ["booking.created", "place.taken"]},
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.pool, endpoint.events, endpoint.created_by) == (
        world.pool,
        ["booking.created", "place.taken"],
        world.commissioner,
    )
    page = response.content.decode()
    assert 'data-testid="signing-secret">whsec_' in page
    assert "whsec_" not in endpoint.secret  # encrypted at rest
    again = client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert "whsec_" not in again


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"url": "http://hooks.example.org/x", "events": ["place.taken"]},
            "The endpoint address must start with https://",
        ),
        ({"url": "https://10.0.0.9/x", "events": ["place.taken"]}, "The endpoint address points to a private network."),
        ({"url": "https://hooks.example.org/x"}, "Choose at least one event to send"),
        ({"url": "https://hooks.example.org/x", "events": ["everything"]}, "Choose events from the list"),
    ],
)
def test_a_wrong_endpoint_is_refused_in_words_and_nothing_is_saved(client, world, data, message) -> None:
    signed_in(client, world.commissioner)
    response = client.post(reverse("webhook_pool_endpoint_add", args=[world.pool.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_other_pools_and_organisations_endpoints_are_not_found(client, world) -> None:
    pool_hook, _ = endpoint_for(pool=world.pool)
    org_hook, _ = endpoint_for(organisation=world.organisation)
    for person in (world.other_commissioner, world.outsider, world.member):
        signed_in(client, person)
        for endpoint in (pool_hook, org_hook):
            assert client.get(reverse("webhook_endpoint", args=[endpoint.pk])).status_code == 404
            assert client.post(reverse("webhook_endpoint_toggle", args=[endpoint.pk])).status_code == 404
    signed_in(client, world.other_commissioner)
    assert client.get(reverse("webhook_pool_endpoints", args=[world.pool.pk])).status_code == 404
    signed_in(client, world.outsider)
    assert client.get(reverse("webhook_organisation_endpoints", args=[world.organisation.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(is_active=True).count() == 2


def test_the_endpoint_page_takes_the_same_queries_however_many_deliveries(
    client, world, django_assert_num_queries
) -> None:
    endpoint, _ = endpoint_for(pool=world.pool)
    signed_in(client, world.commissioner)
    url = reverse("webhook_endpoint", args=[endpoint.pk])
    delivery_to(endpoint)
    client.get(url)
    with django_assert_num_queries(8) as few:  # the endpoint, then its owner through the core access helper
        assert client.get(url).status_code == 200
    for _ in range(40):
        delivery_to(endpoint)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count("Send again") == 25  # the 25 newest
    list_url = reverse("webhook_pool_endpoints", args=[world.pool.pk])
    client.get(list_url)
    with django_assert_num_queries(7) as listed:
        client.get(list_url)
    for _ in range(5):
        endpoint_for(pool=world.pool)
    with django_assert_num_queries(len(listed.captured_queries)):
        client.get(list_url)


@pytest.mark.parametrize("owner", ["pool", "organisation"])
def test_an_endpoint_is_reached_through_the_cores_access_helpers(client, world, monkeypatch, owner) -> None:
    """No second copy of who commissions or leads: the endpoint's pages ask reflect.access, so a
    change to the core's rule (here: nobody may) is a change to the endpoint's too."""
    from django.http import Http404

    def nobody(*args, **kwargs):
        raise Http404("No.")

    endpoint, _ = endpoint_for(**({"pool": world.pool} if owner == "pool" else {"organisation": world.organisation}))
    person = world.commissioner if owner == "pool" else world.lead
    signed_in(client, person)
    url = reverse("webhook_endpoint", args=[endpoint.pk])
    assert client.get(url).status_code == 200  # the control
    monkeypatch.setattr(
        "webhooks.access.access_pool" if owner == "pool" else "webhooks.access.access_led_organisation", nobody
    )
    assert client.get(url).status_code == 404


def test_send_again_is_offered_for_a_finished_delivery_whose_content_is_kept(client, world) -> None:
    """The page offers what resend_delivery accepts (WebhookDelivery.may_be_sent_again)."""
    endpoint, _ = endpoint_for(pool=world.pool)
    for status, body in [("delivered", "{}"), ("failed", "{}"), ("pending", "{}"), ("delivered", "")]:
        delivery_to(endpoint, status=status, body=body)
    signed_in(client, world.commissioner)
    page = client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert (page.count("Send again"), page.count("Content no longer kept")) == (2, 1)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    page = client.get(reverse("webhook_endpoint", args=[endpoint.pk])).content.decode()
    assert (page.count("Send again"), page.count("Content no longer kept")) == (0, 1)
