"""An organisation's endpoints stop listing the reflective-group events, which a lead may not
hear of (reflect.events.AUDIENCES; docs/webhooks.md, "Who hears what"). The sink already sends
them none; this keeps each endpoint's page true to what it receives."""

from django.db import migrations

# Frozen here, as a migration must be: the group kinds when this was written.
GROUP_KINDS = {"place.taken", "place.freed", "waitlist.offered", "session.cancelled"}


def forget_group_events(apps, schema_editor):
    WebhookEndpoint = apps.get_model("webhooks", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.filter(organisation__isnull=False).only("pk", "events"):
        kept = [kind for kind in endpoint.events if kind not in GROUP_KINDS]
        if kept != endpoint.events:
            endpoint.events = kept
            endpoint.save(update_fields=["events"])


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(forget_group_events, migrations.RunPython.noop)]
