from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.index, name="index"),
    path("heat-map/", views.heat_map, name="heat_map"),
    path("matrix/", views.matrix, name="matrix"),
    path("export/", views.export, name="export"),
    path("import/", views.import_register, name="import"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/plan/new/", views.plan_action_add, name="plan_action_add"),
]
