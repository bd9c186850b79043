from django.db import migrations, models
from django.db.models import Count, Q


def count_the_registers(apps, schema_editor):
    """Each session's attended and absent places as they stand; mark_attendance keeps them from now on."""
    GroupSession = apps.get_model("scheduling", "GroupSession")
    Place = apps.get_model("scheduling", "Place")
    counts = (
        Place.objects.filter(status__in=["attended", "absent"])
        .order_by()
        .values("session_id")
        .annotate(attended=Count("pk", filter=Q(status="attended")), absent=Count("pk", filter=Q(status="absent")))
    )
    sessions = []
    for row in counts.iterator(chunk_size=5000):
        sessions.append(GroupSession(pk=row["session_id"], places_attended=row["attended"], places_absent=row["absent"]))
    GroupSession.objects.bulk_update(sessions, ["places_attended", "places_absent"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0006_waitlist_first_offered"),
    ]

    operations = [
        migrations.AddField(
            model_name="groupsession",
            name="places_absent",
            field=models.PositiveIntegerField(default=0, db_default=0),
        ),
        migrations.AddField(
            model_name="groupsession",
            name="places_attended",
            field=models.PositiveIntegerField(default=0, db_default=0),
        ),
        migrations.RunPython(count_the_registers, migrations.RunPython.noop),
    ]
