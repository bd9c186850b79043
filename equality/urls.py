from django.urls import path

from equality import views

urlpatterns = [
    path("", views.equality_answers, name="equality_answers"),
    path("do-not-ask/", views.equality_not_now, name="equality_not_now"),
]
