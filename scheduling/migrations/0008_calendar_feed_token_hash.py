"""Calendar feed tokens: keep only their SHA-256 (docs/security.md, "Calendars").

Each existing token is hashed in place, so every calendar already subscribed keeps working;
then the plain token column goes. Going back cannot bring the tokens back: it stores the hash
in the token column, and those addresses stop working (people make a new link).
"""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("scheduling", "CalendarFeed")
    feeds = []
    for feed in CalendarFeed.objects.only("pk", "token").iterator(chunk_size=2000):
        # The same hash as scheduling.services.calendar_feed.hash_token (a migration keeps its own copy).
        feed.token_hash = hashlib.sha256(feed.token.encode()).hexdigest()
        feeds.append(feed)
    CalendarFeed.objects.bulk_update(feeds, ["token_hash"], batch_size=500)


def unhash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("scheduling", "CalendarFeed")
    CalendarFeed.objects.update(token=models.F("token_hash"))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0007_register_counts")]

    operations = [
        migrations.AddField(
            model_name="calendarfeed", name="token_hash", field=models.CharField(max_length=64, null=True)
        ),
        migrations.AlterField(model_name="calendarfeed", name="token", field=models.CharField(max_length=64, null=True)),
        migrations.RunPython(hash_tokens, unhash_tokens, elidable=False),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed", name="token_hash", field=models.CharField(max_length=64, unique=True)
        ),
    ]
