# The supervisors' table of the dashboard reads each supervisor's hours booked from the index
# alone (docs/performance.md). The covering index replaces the plain one of the same columns,
# made before the old one goes, so the slot engine's reads always have one.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0012_group_purpose_and_host"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="supervisionbooking",
            index=models.Index(
                fields=["supervisor", "starts_at"],
                include=("pool", "status", "hours"),
                name="booking_supervisor_covering",
            ),
        ),
        migrations.RemoveIndex(
            model_name="supervisionbooking",
            name="booking_supervisor_start",
        ),
    ]
