from django.urls import include, path
from django.views.i18n import set_language

from .api import api

handler400 = "minzheng.core.views.bad_request"
handler403 = "minzheng.core.views.permission_denied"
handler404 = "minzheng.core.views.not_found"
handler500 = "minzheng.core.views.server_error"

urlpatterns = [
    path("", include("minzheng.core.urls")),
    path("accounts/", include("minzheng.accounts.urls")),
    path("audit/", include("minzheng.audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
]

# Each domain app contributes its pages under its own prefix when it has a urls module.
for _app, _prefix in [
    ("policy", "policy/"), ("registry", "registry/"), ("assistance", "assistance/"), ("payments", "payments/"),
    ("crosscheck", "crosscheck/"), ("disaster", "disaster/"), ("workforce", "workforce/"),
]:
    try:
        __import__(f"minzheng.{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"minzheng.{_app}.urls":
            raise
        continue
    urlpatterns.append(path(_prefix, include(f"minzheng.{_app}.urls")))

# Public pages (公示, objections) live under /public/ and need no login; apps expose them as public_urls.
for _app in ["assistance", "disaster", "workforce"]:
    try:
        __import__(f"minzheng.{_app}.public_urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"minzheng.{_app}.public_urls":
            raise
        continue
    urlpatterns.append(path(f"public/{_app}/", include(f"minzheng.{_app}.public_urls")))
