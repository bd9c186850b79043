from django.db import migrations, models

# The ledger's sources of an offer, or of a place booked straight from the waitlist
# (scheduling.groups.waitlist.record_waitlist_entry): "group-waitlist:<entry id>:<kind>".
PREFIX = "group-waitlist:"
KINDS = ("waitlist_offered", "waitlist_taken")


def first_offers_from_the_ledger(apps, schema_editor):
    """Each existing entry's first offer, as the ledger recorded it: the earliest of its
    offered or taken entries. Entries never offered keep no date."""
    LedgerEntry = apps.get_model("reflect", "LedgerEntry")
    WaitlistEntry = apps.get_model("scheduling", "WaitlistEntry")
    first: dict[int, object] = {}
    recorded = LedgerEntry.objects.filter(kind__in=KINDS, source__startswith=PREFIX).values_list("source", "occurred_at")
    for source, occurred_at in recorded.iterator(chunk_size=5000):
        entry_id, _, kind = source.removeprefix(PREFIX).partition(":")
        if kind in KINDS and entry_id.isdigit():
            entry_id = int(entry_id)
            if entry_id not in first or occurred_at < first[entry_id]:
                first[entry_id] = occurred_at
    ids = sorted(first)
    for start in range(0, len(ids), 500):  # within SQLite's limit on a query's parameters
        entries = list(WaitlistEntry.objects.filter(pk__in=ids[start : start + 500]).only("pk"))
        for entry in entries:
            entry.first_offered_at = first[entry.pk]
        WaitlistEntry.objects.bulk_update(entries, ["first_offered_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("reflect", "0007_meeting_preference"),
        ("scheduling", "0005_group_last_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="waitlistentry",
            name="first_offered_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(first_offers_from_the_ledger, migrations.RunPython.noop),
    ]
