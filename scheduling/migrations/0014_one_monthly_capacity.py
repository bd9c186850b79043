# A supervisor's monthly capacity was stored twice: on their profile (what matching and their
# own page read) and in their availability settings (what booking read, blank for no limit).
# The two could differ (the demo had 10 and 20), so one page said 20 hours a month and another
# 10. The profile's is now the only one. Where the settings held a capacity, it is the one the
# supervisor last set on their availability page and the one their bookings were held to, so the
# profile takes it; a blank one (no limit) leaves the profile's as it was.

from django.db import migrations
from django.db.models import OuterRef, Subquery


def capacity_to_profile(apps, schema_editor):
    SupervisorProfile = apps.get_model("supervision", "SupervisorProfile")
    AvailabilitySettings = apps.get_model("scheduling", "AvailabilitySettings")
    with_capacity = AvailabilitySettings.objects.filter(monthly_capacity_hours__isnull=False)
    SupervisorProfile.objects.filter(availability_settings__in=with_capacity).update(
        monthly_capacity_hours=Subquery(
            with_capacity.filter(supervisor=OuterRef("pk")).values("monthly_capacity_hours")[:1]
        )
    )


def capacity_to_settings(apps, schema_editor):
    # Backwards: the settings take the profile's capacity, so booking keeps the same limit.
    SupervisorProfile = apps.get_model("supervision", "SupervisorProfile")
    AvailabilitySettings = apps.get_model("scheduling", "AvailabilitySettings")
    AvailabilitySettings.objects.filter(supervisor__monthly_capacity_hours__gt=0).update(
        monthly_capacity_hours=Subquery(
            SupervisorProfile.objects.filter(pk=OuterRef("supervisor_id")).values("monthly_capacity_hours")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0013_supervisor_covering_index"),
        ("supervision", "0006_text_length_limits"),
    ]

    operations = [
        migrations.RunPython(capacity_to_profile, capacity_to_settings),
        migrations.RemoveConstraint(
            model_name="availabilitysettings",
            name="availability_monthly_capacity_positive",
        ),
        migrations.RemoveField(
            model_name="availabilitysettings",
            name="monthly_capacity_hours",
        ),
    ]
