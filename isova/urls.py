from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from isova.actions import views
from isova.health import views as health_views
from isova.onboarding.totp import LoginView
from isova.ops import views as ops_views

handler500 = "isova.ops.views.server_error"

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    # (resolved per request: the manifest is read when asked, not when URLs load).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
    path("dashboard/", include("isova.dashboard.urls")),
    path("dashboard/health/", health_views.thresholds, name="health_thresholds"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("actions/", include("isova.actions.urls")),
    path("", include("isova.records.urls")),
    path("", include("isova.notifications.urls")),
    path("leadership/evidence/", include("isova.evidence.urls")),
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
