"""Django settings of the bluehelmet platform, read from the environment.

``DATABASE_URL``
    The application's connection (a role without superuser or BYPASSRLS). Required.
``BLUEHELMET_OWNER_DATABASE_URL``
    The connection migrations run as (the tables' owner). Defaults to ``DATABASE_URL``.
``BLUEHELMET_SECRET_KEY`` / ``BLUEHELMET_SECRET_KEY_FILE``
    Django's signing key (sessions, CSRF). A random one per process when unset (demo only).
``BLUEHELMET_IDENTITY_KEY_FILE``
    File holding the key that wraps reporter identities (see :mod:`bluehelmet.web.identity`).
``BLUEHELMET_DEBUG``
    ``1`` for Django's debug pages (never in production).
``BLUEHELMET_ALLOWED_HOSTS``
    Comma-separated host names (default ``localhost,127.0.0.1``).
``BLUEHELMET_SECURE``
    ``1`` behind HTTPS: secure cookies, HSTS, redirect to HTTPS.
``BLUEHELMET_UPLOAD_JOB_BYTES``
    CSV uploads larger than this are imported by a background job (default 4 MB).
``BLUEHELMET_DB_CONN_MAX_AGE``
    Seconds a database connection is kept for later requests (default 60; 0: one per request).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    if key := os.environ.get("BLUEHELMET_SECRET_KEY"):
        return key
    if path := os.environ.get("BLUEHELMET_SECRET_KEY_FILE"):
        return Path(path).read_text().strip()
    return secrets.token_urlsafe(50)


def _database(url: str) -> dict[str, Any]:
    # Persistent connections (a new PostgreSQL connection per request cost ~30 % of a page in
    # benchmarks/web_load.py); the reader is set per transaction, so nothing carries over.
    age = int(os.environ.get("BLUEHELMET_DB_CONN_MAX_AGE", "60"))
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=age, conn_health_checks=True)
    )
    config["ATOMIC_REQUESTS"] = False  # the reader middleware opens the request transaction
    return config


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("BLUEHELMET_DEBUG") == "1"
ALLOWED_HOSTS = os.environ.get("BLUEHELMET_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
SECURE = os.environ.get("BLUEHELMET_SECURE") == "1"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "pgtrigger",
    "pghistory",
    "csp",
    "bluehelmet.web.accounts",
    "bluehelmet.web.reports",
    "bluehelmet.web.audit",
    "bluehelmet.web.forcegen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bluehelmet.web.accounts.middleware.ReaderMiddleware",
    "bluehelmet.web.denials.DenialMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "bluehelmet.web.urls"
WSGI_APPLICATION = "bluehelmet.web.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bluehelmet.web.accounts.middleware.reader_context",
            ]
        },
    }
]

DATABASES = {"default": _database(os.environ.get("DATABASE_URL", "postgresql:///bluehelmet"))}
DATABASES["owner"] = _database(
    os.environ.get("BLUEHELMET_OWNER_DATABASE_URL")
    or os.environ.get("DATABASE_URL", "postgresql:///bluehelmet")
)
DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
# Rate-limit counters (bluehelmet.web.ratelimit): the application's role, in autocommit.
DATABASES["counters"] = _database(os.environ.get("DATABASE_URL", "postgresql:///bluehelmet"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id first (OWASP ASVS 11.4.2); older hashes are upgraded on the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600  # absolute lifetime (not extended by activity)
SESSION_IDLE_SECONDS = int(os.environ.get("BLUEHELMET_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE
if SECURE:  # host-only cookies (ASVS 3.3.3); the prefix needs Secure, so only behind HTTPS
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-session", "__Host-csrftoken"
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict CSP: nothing inline, nothing from another origin (every asset is vendored).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# Rate limits count in PostgreSQL, so every web server process shares them (serve --processes).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "bluehelmet.web.ratelimit.CounterCache"},
}
RATELIMIT_USE_CACHE = "ratelimit"
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_VIEW = "bluehelmet.web.reports.views.rate_limited"
ALERT_RATE = os.environ.get("BLUEHELMET_ALERT_RATE", "10/h")
LOGIN_USER_RATE = os.environ.get("BLUEHELMET_LOGIN_USER_RATE", "10/h")  # per user name
LOGIN_IP_RATE = os.environ.get("BLUEHELMET_LOGIN_IP_RATE", "30/h")  # per address

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("BLUEHELMET_STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
WHITENOISE_ROOT = str(BASE_DIR / "root")  # served at "/": favicon.ico (browsers ask for it there)
WHITENOISE_AUTOREFRESH = False

JOBS_DIR = os.environ.get("BLUEHELMET_JOBS_DIR") or str(Path.cwd() / "bluehelmet-jobs")
#: CSV uploads larger than this (bytes) are imported by a background job, not on the request.
UPLOAD_JOB_BYTES = int(os.environ.get("BLUEHELMET_UPLOAD_JOB_BYTES", 4 * 1024 * 1024))
IDENTITY_KEY_FILE = os.environ.get("BLUEHELMET_IDENTITY_KEY_FILE", "")
TWILIO_AUTH_TOKEN_FILE = os.environ.get("BLUEHELMET_TWILIO_AUTH_TOKEN_FILE", "")

# A denial (403) is one line of ``bluehelmet.access`` (bluehelmet.web.denials), never a traceback;
# Django's own CSRF line would repeat it.
CSRF_FAILURE_VIEW = "bluehelmet.web.denials.csrf_failure"
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING"},
        "django.security.csrf": {"level": "ERROR"},
        # its own line on standard error (not again through the command line's root handler)
        "bluehelmet.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
