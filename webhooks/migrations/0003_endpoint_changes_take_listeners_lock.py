"""Every insert of an endpoint, and every update that sets whether it is active or whose it is,
takes the listeners' lock (reflect.locks.LISTENERS_LOCK) exclusive until its transaction ends,
on PostgreSQL: a booking that asked "has this pool an endpoint?" inside its transaction, holding
the lock shared, then cannot miss one registered before it commits (docs/performance.md,
"Booking a group place: the webhooks' question in the write"). A trigger, so that every way of
writing an endpoint (the pages, the admin, an update() of many) takes it; the delivery worker's
own bookkeeping (``failing_since``) does not. SQLite has no such lock: bookings there ask after
the commit, as before."""

from django.db import migrations

# Frozen here, as a migration must be: reflect.locks.LISTENERS_LOCK when this was written.
LISTENERS_LOCK = 0x5EF1EC7

# One statement each (a server-side-bound connection takes one at a time).
CREATE = [
    f"""
CREATE FUNCTION webhooks_endpoint_takes_listeners_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LISTENERS_LOCK});
    RETURN NULL;
END
$$""",
    """
CREATE TRIGGER webhooks_endpoint_takes_listeners_lock
    BEFORE INSERT OR UPDATE OF is_active, pool_id, organisation_id ON webhooks_webhookendpoint
    FOR EACH STATEMENT EXECUTE FUNCTION webhooks_endpoint_takes_listeners_lock()""",
]

DROP = [
    "DROP TRIGGER IF EXISTS webhooks_endpoint_takes_listeners_lock ON webhooks_webhookendpoint",
    "DROP FUNCTION IF EXISTS webhooks_endpoint_takes_listeners_lock()",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0002_lead_endpoints_hear_no_group_events")]

    operations = [migrations.RunPython(create, drop)]
