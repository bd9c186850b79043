"""The communities the report names ("What do we mean by 'complex'?")."""

from django.db import migrations

COMMUNITIES = [
    ("black-and-south-asian", "Black and South Asian people (including targeted work with Black men)"),
    ("lgbtqia", "LGBTQIA+ people"),
    ("neurodiverse", "Neurodiverse people"),
    ("older-people", "Older people"),
    ("poverty", "People living in poverty"),
    ("addictions", "People experiencing drug and/or alcohol addictions"),
    ("domestic-abuse", "People who experience domestic abuse and violence"),
]


def add_communities(apps, schema_editor):
    Community = apps.get_model("reflect", "Community")
    for position, (slug, name) in enumerate(COMMUNITIES):
        Community.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("reflect", "0001_initial")]
    operations = [migrations.RunPython(add_communities, migrations.RunPython.noop)]
