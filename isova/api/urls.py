"""/api/v1/: the core's resources and every app's (from their api.py), schema and docs."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import registry, views

router = SimpleRouter()
router.register("organisation", views.OrganisationViewSet, basename="organisation")
router.register("members", views.MemberViewSet, basename="member")
router.register("actions", views.ActionViewSet, basename="action")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("dashboard", views.DashboardViewSet, basename="dashboard")
for resource in registry.resources():
    router.register(resource.prefix, resource.viewset, basename=resource.basename)

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script, within our CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/docs.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
