from django.urls import path

from learning.sessions import views

urlpatterns = [
    path("pools/<int:pool_id>/arrange/", views.arrange_session, name="learning_session_new"),
    path("pools/<int:pool_id>/course/", views.point_to_course, name="learning_course_share"),
    path("<int:group_id>/book/", views.book_session, name="learning_session_book"),
    path("places/<int:place_id>/feedback/", views.feedback, name="learning_session_feedback"),
]
