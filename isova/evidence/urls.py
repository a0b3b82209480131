from django.urls import path

from . import views

urlpatterns = [
    path("", views.evidence_page, name="evidence"),
    path("download/", views.evidence_download, name="evidence_download"),
    path("sign/", views.evidence_sign, name="evidence_sign"),
    path("<int:pk>/", views.evidence_pack, name="evidence_pack"),
]
