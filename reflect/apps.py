from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"

    def ready(self) -> None:
        from reflect.data_protection import core, tasks  # noqa: F401  (exporters, erasure steps, retention tasks)
