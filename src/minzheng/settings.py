"""Settings read from the environment.

MINZHENG_HOME  where data lives (default ./var): the SQLite file, uploads, exports, the keys.
DATABASE_URL   e.g. postgres://user@host:5432/minzheng; default SQLite under MINZHENG_HOME.
MINZHENG_DEMO  "1" only when `minzheng demo` runs: enables demo accounts with printed passwords.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF

from .apps_list import APPS

BASE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MINZHENG_HOME", "var")).resolve()
HOME.mkdir(parents=True, exist_ok=True)

DEMO_MODE = os.environ.get("MINZHENG_DEMO") == "1"
DEBUG = os.environ.get("MINZHENG_DEBUG") == "1"


def _secret_key() -> str:
    """A per-installation key kept under MINZHENG_HOME, so no secret ships in the repo."""
    if key := os.environ.get("MINZHENG_SECRET_KEY"):
        return key
    path = HOME / "secret_key"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("MINZHENG_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MINZHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API description's Swagger UI from the package's own static files, not a CDN
    *(f"minzheng.{app}" for app in APPS),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minzheng.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "minzheng.accounts.middleware.SecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minzheng.audit.middleware.AuditContextMiddleware",
    "minzheng.core.ratelimit.PublicRateLimitMiddleware",
    "minzheng.policy.middleware.PolicyMemoMiddleware",
    "minzheng.core.requestmemo.RequestMemoMiddleware",
    "minzheng.core.homecache.HomeCacheMiddleware",
]

ROOT_URLCONF = "minzheng.urls"
WSGI_APPLICATION = "minzheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "minzheng.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'minzheng.sqlite3'}",
        conn_max_age=int(os.environ.get("MINZHENG_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE transactions and WAL avoid "database is locked" between the web server and batch jobs.
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
    }

# The cache holds the per-address rate-limit counters (core/ratelimit.py). `minzheng serve` is one process whose
# waitress threads share the local-memory cache (its incr is locked), and a public page view stays a read. With
# several server processes set MINZHENG_CACHE=database: the counters are shared through a table that `minzheng init`
# creates, at the price of a database write per public request.
if os.environ.get("MINZHENG_CACHE") == "database":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "minzheng_cache"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "minzheng"}}
# Seconds a session's rendered home panels are reused (core/homecache.py); 0 renders them on every visit.
MINZHENG_HOME_CACHE_SECONDS = int(os.environ.get("MINZHENG_HOME_CACHE_SECONDS", "30"))
# Requests per address to the pages under /public/ (公示, objections, the 民情 form): "N/SECONDS".
MINZHENG_PUBLIC_RATE = os.environ.get("MINZHENG_PUBLIC_RATE", "120/60")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 first: 等保 2.0 asks for strong, salted credential storage.
PASSWORD_HASHERS = [
    "minzheng.accounts.hashers.MinzhengArgon2Hasher",   # Argon2id at OWASP's cost (accounts/hashers.py)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "minzheng.accounts.passwords.ComplexityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "minzheng.accounts.passwords.HistoryValidator"},
]
AUTHENTICATION_BACKENDS = ["minzheng.accounts.backends.LockoutAwareBackend"]

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = os.environ.get("MINZHENG_HTTPS") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_FAILURE_VIEW = "minzheng.core.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict CSP: everything from our own origin, scripts only from files (no inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
        "base-uri": [SELF],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
# Pages are Chinese only: the users work in Chinese, and a half-translated English mode misleads. English stays
# in the shell (`minzheng --help` is bilingual) and the API's field names.
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = HOME / "media"
MEDIA_URL = "/media/"
EXPORT_ROOT = HOME / "exports"
# Exports of more rows than this run as a background job (core/exportjobs.py); their files are kept this many days.
MINZHENG_EXPORT_INLINE_MAX_ROWS = int(os.environ.get("MINZHENG_EXPORT_INLINE_MAX_ROWS", "5000"))
MINZHENG_EXPORT_KEEP_DAYS = int(os.environ.get("MINZHENG_EXPORT_KEEP_DAYS", "7"))
# Days a photo half-sent from the field app is kept for its phone to finish (then it and its pieces are deleted).
MINZHENG_FIELD_UPLOAD_KEEP_DAYS = int(os.environ.get("MINZHENG_FIELD_UPLOAD_KEEP_DAYS", "14"))

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINZHENG_LOG_LEVEL", "WARNING")},
}

# The bureau shown in the header; editable by the system administrator at run time (core.SiteSettings).
MINZHENG_DEFAULT_BUREAU = "南平市延平区民政局"

# Bounds on untrusted files (uploads, ledgers, department data), checked before any parser sees them; see
# minzheng/core/filebounds.py and the README's configuration table.
from minzheng.core.filebounds import DEFAULTS as _FILE_BOUNDS  # noqa: E402

globals().update({_name: int(os.environ.get(_name, _default)) for _name, _default in _FILE_BOUNDS.items()})

# Ledger files bigger than this are written by a second process while the first still reads and checks them.
MINZHENG_IMPORT_PROCESS_MIN_BYTES = int(os.environ.get("MINZHENG_IMPORT_PROCESS_MIN_BYTES", "3000000"))
# A sheet whose XML is at least this big is read in parts on background threads, so checking starts early.
MINZHENG_IMPORT_PARTS_MIN_BYTES = int(os.environ.get("MINZHENG_IMPORT_PARTS_MIN_BYTES", "32000000"))
# The audit chain's HMAC key lives outside the database; the chain's head is appended to the checkpoint file as
# entries commit (audit/anchor.py). The file may live elsewhere, e.g. on an append-only (chattr +a) volume.
MINZHENG_AUDIT_KEY_FILE = HOME / "audit_key"
MINZHENG_AUDIT_CHECKPOINTS = Path(os.environ.get("MINZHENG_AUDIT_CHECKPOINTS") or HOME / "audit_checkpoints.log")
# Checkpoint lines reach the OS on every commit; fsync at most this often (seconds), so bulk paths never fsync per row.
MINZHENG_AUDIT_FSYNC_SECONDS = float(os.environ.get("MINZHENG_AUDIT_FSYNC_SECONDS", "1"))

# A ledger at least this big (persons), into a registry no bigger, is loaded on SQLite with the secondary indexes
# dropped and built again before the commit (see registry.ledger.writer).
MINZHENG_IMPORT_BULK_MIN_PERSONS = int(os.environ.get("MINZHENG_IMPORT_BULK_MIN_PERSONS", "20000"))

# The task worker (core/worker/, `minzheng worker`; `minzheng serve` starts one): long jobs run there, never in the
# web process. Tasks are stored by django-tasks' database backend, so their state is in our database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "heavy"]}}
# Heavy jobs (imports, 核对, payroll generation, big exports) running at once across all workers; more wait queued.
MINZHENG_WORKER_HEAVY_CONCURRENCY = int(os.environ.get("MINZHENG_WORKER_HEAVY_CONCURRENCY", "1"))
# Jobs one worker process runs at once (threads), so a daily sweep need not wait behind an import.
MINZHENG_WORKER_THREADS = int(os.environ.get("MINZHENG_WORKER_THREADS", "2"))
# A running job whose worker (on another host) has not beaten its heart for this long is marked failed.
MINZHENG_WORKER_LEASE_SECONDS = int(os.environ.get("MINZHENG_WORKER_LEASE_SECONDS", "300"))
# Hour (Beijing time) from which the worker queues the daily sweeps, once a day each.
MINZHENG_WORKER_SWEEP_HOUR = int(os.environ.get("MINZHENG_WORKER_SWEEP_HOUR", "1"))
# 存量核查: an import with at most this many enrollments has them recomputed by the rules as soon as it commits;
# bigger ones are computed by `minzheng assistance ledger-check --compute` (or the 存量核查 page), off the import.
MINZHENG_LEDGER_CHECK_INLINE_MAX = int(os.environ.get("MINZHENG_LEDGER_CHECK_INLINE_MAX", "2000"))
