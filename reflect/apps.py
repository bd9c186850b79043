from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"

    def ready(self) -> None:
        from reflect import demo_notifications  # noqa: F401  (registers the demo reminders step)
