from django.urls import path

from . import sso, views

app_name = "onboarding"

urlpatterns = [
    path("people/", views.people_page, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/invitations/<int:pk>/resend/", views.invitation_resend, name="resend"),
    path("people/invitations/<int:pk>/revoke/", views.invitation_revoke, name="revoke"),
    path("people/<int:pk>/role/", views.change_role, name="change_role"),
    path("people/<int:pk>/deactivate/", views.deactivate, name="deactivate"),
    path("invite/<str:token>/", views.accept, name="accept"),
    path("people/single-sign-on/", views.sso_settings, name="sso_settings"),
    path("sso/", views.sso_go, name="sso_go"),
    path("sso/callback/", sso.callback, name="sso_callback"),
    path("sso/<slug:slug>/", sso.start, name="sso_start"),
    path("getting-started/<slug:key>/done/", views.checklist_mark, name="checklist_mark"),
    path("getting-started/dismiss/", views.checklist_dismiss, name="checklist_dismiss"),
]
