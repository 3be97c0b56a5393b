from django.urls import include, path
from django.views.i18n import set_language

from minzheng.accounts import urls as accounts_urls
from minzheng.assistance import public_urls as assistance_public_urls
from minzheng.assistance import urls as assistance_urls
from minzheng.audit import urls as audit_urls
from minzheng.care import urls as care_urls
from minzheng.core import urls as core_urls
from minzheng.crosscheck import urls as crosscheck_urls
from minzheng.disaster import public_urls as disaster_public_urls
from minzheng.disaster import urls as disaster_urls
from minzheng.fieldapp import urls as fieldapp_urls
from minzheng.payments import urls as payments_urls
from minzheng.policy import urls as policy_urls
from minzheng.purchased import public_urls as purchased_public_urls
from minzheng.purchased import urls as purchased_urls
from minzheng.registry import urls as registry_urls
from minzheng.stats import urls as stats_urls
from minzheng.workforce import public_urls as workforce_public_urls
from minzheng.workforce import urls as workforce_urls

from .api import api

handler400 = "minzheng.core.views.bad_request"
handler403 = "minzheng.core.views.permission_denied"
handler404 = "minzheng.core.views.not_found"
handler500 = "minzheng.core.views.server_error"

urlpatterns = [
    path("", include(core_urls)),
    path("accounts/", include(accounts_urls)),
    path("audit/", include(audit_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    # Each domain app's pages under its own prefix.
    path("policy/", include(policy_urls)),
    path("registry/", include(registry_urls)),
    path("assistance/", include(assistance_urls)),
    path("payments/", include(payments_urls)),
    path("crosscheck/", include(crosscheck_urls)),
    path("disaster/", include(disaster_urls)),
    path("workforce/", include(workforce_urls)),
    path("purchased/", include(purchased_urls)),
    path("stats/", include(stats_urls)),
    path("care/", include(care_urls)),
    # The offline field app: its service worker's scope is /field/.
    path("field/", include(fieldapp_urls)),
    # Public pages (公示, objections, 民情 reporting) need no login.
    path("public/assistance/", include(assistance_public_urls)),
    path("public/disaster/", include(disaster_public_urls)),
    path("public/workforce/", include(workforce_public_urls)),
    path("public/purchased/", include(purchased_public_urls)),
]
