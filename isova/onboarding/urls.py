from django.urls import path

from . import signup, sso, totp, views

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
    path("people/sign-in-policy/", views.sign_in_policy, name="sign_in_policy"),
    path("sso/", views.sso_go, name="sso_go"),
    path("signup/", signup.signup_view, name="signup"),
    path("signup/<str:token>/", signup.confirm_view, name="signup_confirm"),
    path("accounts/two-factor/", totp.verify_view, name="totp_verify"),
    path("accounts/two-factor/setup/", totp.setup_view, name="totp_setup"),
    path("sso/callback/", sso.callback, name="sso_callback"),
    path("sso/<slug:slug>/", sso.start, name="sso_start"),
    path("getting-started/<slug:key>/done/", views.checklist_mark, name="checklist_mark"),
    path("getting-started/dismiss/", views.checklist_dismiss, name="checklist_dismiss"),
]
