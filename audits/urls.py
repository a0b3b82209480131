from django.urls import path

from . import views

app_name = "audits"
# The 10.2 steps `views.finding_step` records (views.STEPS): their address, step and URL name.
STEPS = (
    ("containment", "containment", "finding_containment"),
    ("root-cause", "root_cause", "finding_root_cause"),
    ("check-date", "plan", "finding_plan_check"),
    ("risks", "risk", "finding_risk"),
)
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.audit_create, name="audit_create"),
    path("<int:pk>/", views.audit_detail, name="audit_detail"),
    path("<int:pk>/edit/", views.audit_edit, name="audit_edit"),
    path("<int:pk>/start/", views.audit_start, name="audit_start"),
    path("<int:pk>/summary/", views.audit_save_report, name="audit_save_report"),
    path("<int:pk>/issue/", views.audit_issue, name="audit_issue"),
    path("<int:pk>/close/", views.audit_close, name="audit_close"),
    path("<int:pk>/report/", views.audit_report, name="audit_report"),
    path("<int:pk>/findings/new/", views.finding_create, name="finding_create"),
    path("findings/", views.finding_list, name="finding_list"),
    path("findings/<int:pk>/", views.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", views.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/actions/", views.finding_add_action, name="finding_add_action"),
    path("findings/<int:pk>/verify/", views.finding_verify, name="finding_verify"),
    path("findings/<int:pk>/close/", views.finding_close, name="finding_close"),
    path("processes/", views.process_list, name="process_list"),
    path("processes/<int:pk>/edit/", views.process_edit, name="process_edit"),
    path("settings/", views.audit_settings, name="settings"),
    *(
        path(f"findings/<int:pk>/{address}/", views.finding_step, {"step": step}, name=name)
        for address, step, name in STEPS
    ),
]
