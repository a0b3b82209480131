from django.urls import path

from . import views

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("mine/", views.my_actions, name="my_actions"),
    path("new/", views.action_create, name="action_create"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("<int:pk>/status/", views.action_status, name="action_status"),
    path("<int:pk>/note/", views.action_note, name="action_note"),
]
