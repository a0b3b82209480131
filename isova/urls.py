from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from isova.actions import views
from isova.dashboard import dialogs as dashboard_dialogs
from isova.dashboard import views as dashboard
from isova.evidence import views as evidence_views
from isova.health import views as health_views
from isova.notifications import views as notifications_views
from isova.onboarding.totp import LoginView
from isova.ops import views as ops_views
from isova.records import views as records_views

handler500 = "isova.ops.views.server_error"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    # (resolved per request: the manifest is read when asked, not when URLs load).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/panels/<slug:name>/", dashboard.panel, name="dashboard_panel"),
    path("dashboard/owners/", dashboard.owner_suggestions, name="dashboard_owners"),
    path(
        "dashboard/actions/<int:pk>/assign/",
        dashboard_dialogs.assign_action,
        name="dashboard_assign_action",
    ),
    path("dashboard/actions/new/", dashboard_dialogs.new_action, name="dashboard_new_action"),
    path("dashboard/health/", health_views.thresholds, name="health_thresholds"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("actions/", views.action_list, name="action_list"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("actions/<int:pk>/note/", views.action_note, name="action_note"),
    path("approvals/", records_views.approvals, name="approvals"),
    path("approvals/<int:pk>/review/", records_views.approval_review, name="approval_review"),
    path("notifications/", notifications_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        notifications_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read/",
        notifications_views.notification_read_all,
        name="notification_read_all",
    ),
    path(
        "notifications/preferences/",
        notifications_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/escalation/",
        notifications_views.escalation_settings,
        name="escalation_settings",
    ),
    path("calendar/", notifications_views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", notifications_views.calendar_feed, name="calendar_feed"),
    path(
        "records/<str:model_key>/<int:pk>/submit/",
        records_views.record_submit,
        name="record_submit",
    ),
    path(
        "records/<str:model_key>/<int:pk>/decide/",
        records_views.record_decide,
        name="record_decide",
    ),
    path("policy/", records_views.quality_policy_list, name="quality_policy_list"),
    path("policy/new/", records_views.quality_policy_create, name="quality_policy_create"),
    path("policy/<int:pk>/", records_views.quality_policy_detail, name="quality_policy_detail"),
    path("policy/<int:pk>/edit/", records_views.quality_policy_edit, name="quality_policy_edit"),
    path("leadership/evidence/", evidence_views.evidence_page, name="evidence"),
    path(
        "leadership/evidence/download/",
        evidence_views.evidence_download,
        name="evidence_download",
    ),
    path("leadership/evidence/sign/", evidence_views.evidence_sign, name="evidence_sign"),
    path("leadership/evidence/<int:pk>/", evidence_views.evidence_pack, name="evidence_pack"),
    path("", include("isova.onboarding.urls")),
    path("objectives/", include("objectives.urls")),
    path("audits/", include("audits.urls")),
    path("risks/", include("risks.urls")),
    path("reviews/", include("reviews.urls")),
    path("decisions/", include("decisions.urls")),
    path("lessons/", include("isova.lessons.urls")),
    path("data/", include("isova.imports.urls")),
    path("resources/", include("isova.resources.urls")),
    path(
        "accounts/login/",
        LoginView.as_view(),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("isova.api.urls")),
    path("account/api/", include("isova.api.page_urls")),
]
