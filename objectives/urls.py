from django.urls import path

from . import views

app_name = "objectives"
urlpatterns = [
    path("", views.index, name="index"),
    path("ours/", views.ours, name="ours"),
    path("reviews/", views.reviews, name="reviews"),
    path("goals/", views.goals, name="goals"),
    path("import/", views.import_values, name="import"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/values/", views.record_value, name="record_value"),
    path("<int:pk>/plan/new/", views.plan_step_add, name="plan_step_add"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
