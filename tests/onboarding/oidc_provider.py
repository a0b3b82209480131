"""A real OpenID Connect provider for the SSO tests: Django OAuth Toolkit in a small Django
server of its own (own process, own SQLite file, own RSA key), on a loopback port.

Run as `python tests/onboarding/oidc_provider.py CONFIG.json`; CONFIG names the port, the
RSA private key (PEM), the client (id, secret, redirect URI) and the people (e-mail,
password, whether the address is verified). It prints "ready" once it serves.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def configure(config: dict) -> None:
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-provider-for-tests-only-" + "x" * 40,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": config["database"]}},
        USE_TZ=True,
        LOGIN_URL="/login/",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": config["private_key"],
            "OAUTH2_VALIDATOR_CLASS": __name__ + ".Validator",
            "SCOPES": {"openid": "OpenID", "email": "E-mail", "profile": "Profile"},
            "PKCE_REQUIRED": False,
            "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
        },
    )
    django.setup()


urlpatterns: list = []


def build_urls() -> None:
    from django.contrib.auth import authenticate, login
    from django.http import HttpResponse, HttpResponseRedirect
    from django.urls import include, path
    from django.utils.html import escape
    from django.views.decorators.csrf import csrf_exempt

    @csrf_exempt
    def login_view(request):
        if request.method == "POST":
            user = authenticate(
                request, username=request.POST["username"], password=request.POST["password"]
            )
            if user is not None:
                login(request, user)
                return HttpResponseRedirect(request.POST.get("next") or "/")
            return HttpResponse("bad credentials", status=401)
        next_url = escape(request.GET.get("next", ""))
        return HttpResponse(
            '<form method="post"><input name="username"><input name="password" type="password">'
            f'<input type="hidden" name="next" value="{next_url}"><button>Sign in</button></form>'
        )

    urlpatterns[:] = [
        path("login/", login_view),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    ]


def make_validator():
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below whatever the scopes

        def get_additional_claims(self, request):
            user = request.user
            return {
                "email": user.email,
                "email_verified": user.first_name != "unverified",
                "name": user.last_name,
            }

    return Validator


def seed(config: dict) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    for person in config["people"]:
        User.objects.create_user(
            username=person["email"],
            email=person["email"],
            password=person["password"],
            first_name="" if person.get("verified", True) else "unverified",
            last_name=person.get("name", ""),
        )
    client = config["client"]
    Application.objects.create(
        name="isova",
        client_id=client["id"],
        client_secret=client["secret"],
        hash_client_secret=False,
        redirect_uris=" ".join(client["redirect_uris"]),
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    configure(config)
    globals()["Validator"] = make_validator()
    build_urls()
    seed(config)
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = make_server("127.0.0.1", config["port"], get_wsgi_application(), handler_class=Quiet)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
