from django.urls import path

from learning.sessions import views

urlpatterns = [
    path("pools/<id:pool_id>/arrange/", views.arrange_session, name="learning_session_new"),
    path("pools/<id:pool_id>/course/", views.point_to_course, name="learning_course_share"),
    path("<id:group_id>/book/", views.book_session, name="learning_session_book"),
    path("places/<id:place_id>/feedback/", views.feedback, name="learning_session_feedback"),
]
