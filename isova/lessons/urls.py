from django.urls import path

from . import views

app_name = "lessons"

urlpatterns = [
    path("", views.lesson_list, name="list"),
    path("new/", views.lesson_new, name="new"),
    path("<int:pk>/", views.lesson_detail, name="detail"),
    path("<int:pk>/capture/", views.lesson_capture, name="capture"),
    path("<int:pk>/skip/", views.lesson_skip, name="skip"),
    path("<int:pk>/improve/", views.lesson_improve, name="improve"),
    path("<int:pk>/improve/<slug:target>/", views.lesson_improve_via, name="improve_via"),
]
