"""Django settings for Trustledger.

Everything a deployment changes comes from the environment:
- ``TRUSTLEDGER_DATA``: where data lives (SQLite file, uploads, generated files); default ``var/``.
- ``DATABASE_URL``: selects PostgreSQL (or another database); SQLite under the data dir otherwise.
- ``TRUSTLEDGER_SECRET_KEY``: the signing key; generated once into the data dir when unset
  (required in production: every web node must sign with the same key).
- ``TRUSTLEDGER_DEBUG``, ``TRUSTLEDGER_ALLOWED_HOSTS``, ``TRUSTLEDGER_BASE_URL``.
- ``TRUSTLEDGER_PRODUCTION=1``: production mode (docs/deploy.md has the table of every variable).
- ``EMAIL_HOST``, ``EMAIL_PORT``, ``EMAIL_HOST_USER``, ``EMAIL_HOST_PASSWORD``, ``EMAIL_USE_TLS``:
  SMTP; without ``EMAIL_HOST`` mail is written to files under the data dir.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("TRUSTLEDGER_DATA", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Use the configured key, or create one per data dir so sessions survive restarts."""
    if key := os.environ.get("TRUSTLEDGER_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


PRODUCTION = _env_flag("TRUSTLEDGER_PRODUCTION")
if PRODUCTION:  # what one node cannot guess for all of them must be set, or nothing starts
    _missing = [
        name
        for name in ("TRUSTLEDGER_SECRET_KEY", "TRUSTLEDGER_BASE_URL", "TRUSTLEDGER_ALLOWED_HOSTS")
        if not os.environ.get(name)
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Production mode (TRUSTLEDGER_PRODUCTION=1) needs "
            + ", ".join(_missing)
            + ": the signing key every node shares, the address links in e-mails point to, and "
            "the host names the site answers to. See docs/deploy.md."
        )

SECRET_KEY = _secret_key()
DEBUG = _env_flag("TRUSTLEDGER_DEBUG")
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("TRUSTLEDGER_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )
    if host.strip()
]
BASE_URL = os.environ.get("TRUSTLEDGER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind TLS (TRUSTLEDGER_HTTPS=1, the default in production): cookies only over HTTPS, HSTS,
# plain HTTP redirected. The proxy's X-Forwarded-Proto says whether a request came over TLS.
HTTPS = _env_flag("TRUSTLEDGER_HTTPS", default=PRODUCTION)
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("TRUSTLEDGER_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("TRUSTLEDGER_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = _env_flag("TRUSTLEDGER_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP
# The reverse proxies whose X-Forwarded-For is believed (addresses or networks): rate limits
# then see the client's address, not the proxy's (trustledger.core.http.client_ip).
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("TRUSTLEDGER_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Django's admin site: off in production unless asked for (its sign-in has no second factor).
ADMIN_ENABLED = _env_flag("TRUSTLEDGER_ADMIN", default=not PRODUCTION)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "ninja",
    "trustledger.core",
    "trustledger.workspaces",
    "trustledger.clients",
    "trustledger.engagements",
    "trustledger.communications",
    "trustledger.trust",
    "trustledger.feedback",
    "trustledger.imports",
    "trustledger.money",
    "trustledger.analytics",
    "trustledger.recovery",
    "trustledger.relationships",
    "trustledger.reports",
    "trustledger.portal",
    "trustledger.webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "trustledger.workspaces.middleware.CurrentWorkspaceMiddleware",
]

ROOT_URLCONF = "trustledger.urls"
WSGI_APPLICATION = "trustledger.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "trustledger" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trustledger.workspaces.context_processors.workspace",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "trustledger.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite_path}",
        conn_max_age=int(os.environ.get("TRUSTLEDGER_CONN_MAX_AGE", "60")),
        # a kept connection is checked before each request: a restarted database is no 500
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and the task worker proceed while one writer commits.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "workspaces.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "trustledger" / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the installed packages: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Every e-mail goes through the outbox (a row written in the business transaction); the worker
# sends it after commit with the "delivery" mailer: SMTP when EMAIL_HOST is set, else files.
TRUSTLEDGER_EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "30"))
if os.environ.get("EMAIL_HOST"):
    _DELIVERY = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["EMAIL_HOST"],
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": _env_flag("EMAIL_USE_TLS"),
            "timeout": TRUSTLEDGER_EMAIL_TIMEOUT,
        },
    }
else:  # no SMTP server configured: keep every message as a file to read
    _DELIVERY = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
    }
MAILERS = {"default": {"BACKEND": "trustledger.core.outbox.OutboxBackend"}, "delivery": _DELIVERY}
DEFAULT_FROM_EMAIL = os.environ.get("TRUSTLEDGER_FROM_EMAIL", "Trustledger <noreply@localhost>")

# A worker that has not been heard of for this long has lost its running task to another worker.
TRUSTLEDGER_WORKER_LEASE = float(os.environ.get("TRUSTLEDGER_WORKER_LEASE", "60"))
# Seconds a webhook POST may wait for each step (connecting, then the answer).
TRUSTLEDGER_WEBHOOK_TIMEOUT = float(os.environ.get("TRUSTLEDGER_WEBHOOK_TIMEOUT", "10"))
# Seconds before the 2nd, 3rd, ... attempt of failed mail and tasks (empty: the built-in steps).
TRUSTLEDGER_RETRY_BACKOFF = [
    float(step) for step in os.environ.get("TRUSTLEDGER_RETRY_BACKOFF", "").split(",") if step
]
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's session clients read it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TRUSTLEDGER_LOG_LEVEL", "WARNING")},
}
