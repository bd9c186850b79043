from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"

    def ready(self) -> None:
        from reflect import demo_notifications  # noqa: F401  (registers the demo reminders step)
        from reflect.data_protection import core, tasks  # noqa: F401  (exporters, erasure steps, retention tasks)
