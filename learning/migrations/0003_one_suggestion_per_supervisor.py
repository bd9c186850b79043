"""One suggestion per supervisor, person and topic, whatever its answer (docs/learning.md): a
repeat finds the first, so a supervisor cannot tell from it whether the person answered. Any
repeat made before (a later row of the same supervisor, person and topic) is deleted first,
keeping the earliest; the need an accepted suggestion raised is the person's and stays."""

from django.db import migrations, models


def keep_the_first_of_each(apps, schema_editor):
    TopicSuggestion = apps.get_model("learning", "TopicSuggestion")
    first: dict[tuple[int, int, int], int] = {}
    repeats = []
    for pk, supervisor, person, topic in TopicSuggestion.objects.order_by("pk").values_list(
        "pk", "supervisor_id", "person_id", "topic_id"
    ):
        if first.setdefault((supervisor, person, topic), pk) != pk:
            repeats.append(pk)
    TopicSuggestion.objects.filter(pk__in=repeats).delete()


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_learning_sessions")]

    operations = [
        migrations.RemoveConstraint(model_name="topicsuggestion", name="one_open_suggestion_per_person_topic"),
        migrations.RunPython(keep_the_first_of_each, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="topicsuggestion",
            constraint=models.UniqueConstraint(
                fields=("supervisor", "person", "topic"), name="one_suggestion_per_supervisor_person_topic"
            ),
        ),
    ]
