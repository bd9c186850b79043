"""Calendar feed tokens are stored only as a hash and shown once (docs/security.md, "Calendars")."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from reflect.models import AuditEvent
from scheduling.models import CalendarFeed
from scheduling.services.calendar_feed import feed_by_token, hash_token, regenerate_feed
from tests.conftest import World

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".ics")


def everything_stored_for(feed: CalendarFeed) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {CalendarFeed._meta.db_table} WHERE id = %s", [feed.pk])  # noqa: S608
        return repr(cursor.fetchall())


def test_the_database_holds_no_token(world: World) -> None:
    link = regenerate_feed(world.member)
    stored = everything_stored_for(link.feed)
    assert link.token not in stored
    assert hashlib.sha256(link.token.encode()).hexdigest() in stored
    assert [f.name for f in CalendarFeed._meta.get_fields() if "token" in f.name] == ["token_hash"]
    assert feed_by_token(link.token) == link.feed
    assert feed_by_token(link.feed.token_hash) is None  # the hash is not a key


def test_the_page_shows_the_address_once_right_after_making_it(client, world: World) -> None:
    client.force_login(world.member)
    first = client.get(reverse("calendar"))
    assert "feed_url" not in first.context
    assert "Make your calendar link" in first.content.decode()
    assert not CalendarFeed.objects.exists()  # looking does not make one

    made = client.post(reverse("calendar_regenerate"))
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    url = made.context["feed_url"]
    assert url in made.content.decode()
    assert "we show it only this once" in made.content.decode()
    token = token_of(url)

    again = client.get(reverse("calendar")).content.decode()
    assert token not in again
    assert "Make a new link" in again
    assert client.get(path_of(url)).status_code == 200


def test_an_old_address_stops_after_make_a_new_link(client, world: World) -> None:
    client.force_login(world.member)
    old = client.post(reverse("calendar_regenerate")).context["feed_url"]
    new_page = client.post(reverse("calendar_regenerate"))
    assert "The old link no longer works" in new_page.content.decode()
    client.logout()
    assert client.get(path_of(old)).status_code == 404
    assert client.get(path_of(new_page.context["feed_url"])).status_code == 200
    assert AuditEvent.objects.filter(action="calendar_feed.regenerated").count() == 1


def test_the_feed_still_answers_304(client, world: World) -> None:
    url = reverse("calendar_feed", args=[regenerate_feed(world.member).token])
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.head(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("token", ["", "x", "a" * 65, "a" * 10_000, "%00", "../../etc/passwd", "é" * 20])
def test_a_wrong_token_is_a_404(client, world: World, token: str) -> None:
    regenerate_feed(world.member)
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{token}/groups/1.ics").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_existing_tokens_so_subscriptions_keep_working(client) -> None:
    # Back to before the migration, a feed with its plain token, forward again: the address
    # people subscribed to keeps answering, and the plain token is gone.
    from reflect.models import User
    from tests.factories.migrations import migrated_back, migrated_forward

    before, after = [("scheduling", "0007_register_counts")], [("scheduling", "0008_calendar_feed_token_hash")]
    old_apps = migrated_back(before)
    user = User.objects.create_user("subscribed@example.org", first_name="Sam", last_name="Subscriber")
    plain = "an-existing-token-from-before-the-migration"
    old_feed = old_apps.get_model("scheduling", "CalendarFeed")
    old_feed.objects.create(user_id=user.pk, token=plain)
    migrated_forward(after)
    feed = CalendarFeed.objects.get(user=user)
    assert feed.token_hash == hash_token(plain)
    assert plain not in everything_stored_for(feed)
    assert client.get(reverse("calendar_feed", args=[plain])).status_code == 200
