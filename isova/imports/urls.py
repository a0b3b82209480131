from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/<slug:kind_name>/", views.upload, name="upload"),
    path("imports/<int:pk>/columns/", views.columns, name="columns"),
    path("imports/<int:pk>/values/", views.values, name="values"),
    path("imports/<int:pk>/preview/", views.preview, name="preview"),
    path("imports/<int:pk>/", views.result, name="result"),
    path("imports/<int:pk>/progress/", views.progress, name="progress"),
    path("export/<slug:name>.<str:fmt>", views.export, name="export"),
]
