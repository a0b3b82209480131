from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.review_new, name="new"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/note/", views.review_note, name="note"),
    path("<int:pk>/attendance/", views.review_attendance, name="attendance"),
    path("<int:pk>/external/", views.review_external, name="external"),
    path("<int:pk>/hold/", views.review_hold, name="hold"),
    path("<int:pk>/outputs/", views.review_output, name="output"),
    path("<int:pk>/close/", views.review_close, name="close"),
    path("<int:pk>/minutes/", views.review_minutes, name="minutes"),
    path("<int:pk>/invite.ics", views.review_ics, name="ics"),
    path("context/", views.context_list, name="context"),
    path("context/<int:pk>/toggle/", views.context_retire, name="context_toggle"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/mine/", views.feedback_mine, name="feedback_mine"),
    path("feedback/new/", views.feedback_new, name="feedback_new"),
    path("feedback/import/", views.feedback_import, name="feedback_import"),
    path("feedback/export.csv", views.feedback_export, name="feedback_export"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/respond/", views.feedback_respond, name="feedback_respond"),
    path("feedback/<int:pk>/action/", views.feedback_action, name="feedback_action"),
    path("feedback/<int:pk>/objective/", views.feedback_objective, name="feedback_objective"),
    path("policy/", views.policy_page, name="policy"),
]
