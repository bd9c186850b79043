from django.apps import AppConfig


class ReflectConfig(AppConfig):
    name = "reflect"
    verbose_name = "Reflect (people, organisations, pools)"
