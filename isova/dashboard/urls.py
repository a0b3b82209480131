from django.urls import path

from . import dialogs, views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("panels/<slug:name>/", views.panel, name="dashboard_panel"),
    path("owners/", views.owner_suggestions, name="dashboard_owners"),
    path("actions/<int:pk>/assign/", dialogs.assign_action, name="dashboard_assign_action"),
    path("actions/new/", dialogs.new_action, name="dashboard_new_action"),
]
