from django.urls import path

from . import views

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/review/", views.approval_review, name="approval_review"),
    path("records/<str:model_key>/<int:pk>/submit/", views.record_submit, name="record_submit"),
    path("records/<str:model_key>/<int:pk>/decide/", views.record_decide, name="record_decide"),
    path("policy/", views.quality_policy_list, name="quality_policy_list"),
    path("policy/new/", views.quality_policy_create, name="quality_policy_create"),
    path("policy/<int:pk>/", views.quality_policy_detail, name="quality_policy_detail"),
    path("policy/<int:pk>/edit/", views.quality_policy_edit, name="quality_policy_edit"),
]
