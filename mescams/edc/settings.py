"""Django settings for the EDC, built from the environment at start-up (never at import).

Variables (all optional except the secret outside demo mode):

``MESCAMS_DATA_DIR``        data directory (default ``./data``): the SQLite file ``mescams.sqlite3`` and uploads
``MESCAMS_DATABASE_URL``    ``postgresql://user:password@host:port/name`` to use PostgreSQL instead of SQLite
``MESCAMS_SECRET_KEY``      required unless ``MESCAMS_DEMO=1``
``MESCAMS_AUDIT_KEY``       key of the audit chain's HMAC (default: derived from the secret key); keep it out of
                            the database, so that whoever can write to the database cannot re-forge the chain
``MESCAMS_BACKUP_KEY``      passphrase that encrypts ``mescams backup`` files (AES-256-GCM); unset: plain files
``MESCAMS_DEMO``            ``1``: demo mode (a fixed, public secret; demo passwords may be printed)
``MESCAMS_DEBUG``           ``1``: Django debug pages (never in production)
``MESCAMS_ALLOWED_HOSTS``   comma-separated host names (default ``127.0.0.1,localhost``)
``MESCAMS_LOGIN_FREE_FAILURES``, ``MESCAMS_LOGIN_MAX_DELAY_MINUTES``, ``MESCAMS_LOGIN_RATE``,
``MESCAMS_SESSION_IDLE_MINUTES``, ``MESCAMS_INSECURE_HTTP``, ``MESCAMS_ACCESS_LOG_RETENTION_YEARS`` (default 15):
                            log-in throttling, sessions, transport and the access log
                            (:mod:`mescams.edc.security.config`)
``MESCAMS_EMAIL_BACKEND``   Django mail backend for safety reminders and the participant portal (invitations, log-in
                            codes, symptom alerts); default SMTP, the console in demo mode; with
                            ``MESCAMS_EMAIL_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_USE_TLS`` and ``_FROM``

:func:`configure` calls ``django.conf.settings.configure`` with :func:`build_settings` and ``django.setup()``; the
command line, the WSGI entry point and the tests call it once, so no module reads the environment on import.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from mescams.edc.i18n.catalogues import compile_catalogues
from mescams.edc.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES
from mescams.edc.security.config import MIDDLEWARE as SECURITY_MIDDLEWARE
from mescams.edc.security.config import security_settings
from mescams.errors import MescamsError

__all__ = ["SettingsError", "audit_key", "build_settings", "configure", "data_dir", "database_settings"]

DEMO_SECRET = "mescams-demo-mode-insecure-secret-never-use-in-production"  # noqa: S105 - demo mode only

EDC_APPS = [
    "mescams.edc.accounts",
    "mescams.edc.i18n",
    "mescams.edc.trial",
    "mescams.edc.audit",
    "mescams.edc.randomisation",
    "mescams.edc.crfs",
    "mescams.edc.queries",
    "mescams.edc.coding",
    "mescams.edc.monitoring",
    "mescams.edc.notifications",
    "mescams.edc.web",
    "mescams.edc.security",
    "mescams.edc.api",
    "mescams.edc.safety",
    "mescams.edc.federation",
    "mescams.edc.labels",
    "mescams.edc.econsent",
    "mescams.edc.portal",
]


class SettingsError(MescamsError):
    """The environment does not configure a safe system (e.g. no secret outside demo mode)."""


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("MESCAMS_DATA_DIR") or "./data").resolve()


def database_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The ``default`` database: PostgreSQL from ``MESCAMS_DATABASE_URL``, else SQLite (WAL) in the data dir."""
    url = env.get("MESCAMS_DATABASE_URL", "").strip()
    if url:
        parts = urlparse(url)
        if parts.scheme not in {"postgres", "postgresql"}:
            raise SettingsError(f"MESCAMS_DATABASE_URL: only postgresql:// URLs are supported, got {parts.scheme}://")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "mescams",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": f"test_{unquote(parts.path.lstrip('/')) or 'mescams'}"},
        }
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir(env) / "mescams.sqlite3"),
        "OPTIONS": {
            # IMMEDIATE: a transaction takes the write lock when it begins, so concurrent writers queue
            # (busy timeout) instead of failing with "database is locked" on a read-to-write upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def audit_key(configured: str, secret: str) -> bytes:
    """The audit chain's HMAC key: ``MESCAMS_AUDIT_KEY`` when set, else one derived from the secret key (so a
    server that keeps its secret keeps verifying its trail; a restore elsewhere needs the same key)."""
    if configured:
        return configured.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), b"mescams audit chain v1", hashlib.sha256).digest()


def mail_settings(env: Mapping[str, str], *, demo: bool) -> dict[str, Any]:
    """Outgoing e-mail (safety reminders): ``MESCAMS_EMAIL_BACKEND`` (a Django backend; default SMTP, or the console
    in demo mode), ``MESCAMS_EMAIL_HOST``/``_PORT``/``_USER``/``_PASSWORD``/``_USE_TLS`` and ``MESCAMS_EMAIL_FROM``."""
    default = "django.core.mail.backends.console.EmailBackend" if demo else \
        "django.core.mail.backends.smtp.EmailBackend"
    port = env.get("MESCAMS_EMAIL_PORT", "25").strip() or "25"
    if not port.isdigit():
        raise SettingsError(f"MESCAMS_EMAIL_PORT must be a port number, got {port!r}")
    return {
        "EMAIL_BACKEND": env.get("MESCAMS_EMAIL_BACKEND", "").strip() or default,
        "EMAIL_HOST": env.get("MESCAMS_EMAIL_HOST", "localhost"),
        "EMAIL_PORT": int(port),
        "EMAIL_HOST_USER": env.get("MESCAMS_EMAIL_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("MESCAMS_EMAIL_PASSWORD", ""),
        "EMAIL_USE_TLS": _flag(env, "MESCAMS_EMAIL_USE_TLS"),
        "DEFAULT_FROM_EMAIL": env.get("MESCAMS_EMAIL_FROM", "").strip() or "mescams-edc@localhost",
    }


def build_settings(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every Django setting of the EDC, from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    demo = _flag(env, "MESCAMS_DEMO")
    secret = env.get("MESCAMS_SECRET_KEY", "").strip()
    if not secret:
        if not demo:
            raise SettingsError("MESCAMS_SECRET_KEY must be set (only demo mode, MESCAMS_DEMO=1, has a default)")
        secret = DEMO_SECRET
    hosts = [h.strip() for h in env.get("MESCAMS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
    return {
        "SECRET_KEY": secret,
        "MESCAMS_AUDIT_KEY": audit_key(env.get("MESCAMS_AUDIT_KEY", "").strip(), secret),
        "MESCAMS_BACKUP_KEY": env.get("MESCAMS_BACKUP_KEY", ""),
        "DEBUG": _flag(env, "MESCAMS_DEBUG"),
        "ALLOWED_HOSTS": hosts,
        "MESCAMS_DEMO": demo,
        "MESCAMS_DATA_DIR": str(data_dir(env)),
        "INSTALLED_APPS": [
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "ninja",  # Swagger UI's files and templates from the installed package (/api/docs uses no CDN)
            *EDC_APPS,
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            *SECURITY_MIDDLEWARE,
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.locale.LocaleMiddleware",  # the cookie's language, else the browser's
            "mescams.edc.security.sessions.IdleTimeoutMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "mescams.edc.portal.middleware.SecondFactorMiddleware",  # participants: only after the e-mailed code
            "mescams.edc.i18n.middleware.UserLanguageMiddleware",  # a signed-in user's chosen language wins
            "mescams.edc.accounts.middleware.PasswordChangeRequiredMiddleware",
            "mescams.edc.security.access_log.AccessLogMiddleware",  # who viewed which participant's data
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "mescams.edc.urls",
        "TEMPLATES": [
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [],
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.template.context_processors.i18n",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        "DATABASES": {"default": database_settings(env)},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "AUTH_USER_MODEL": "accounts.User",
        "PASSWORD_HASHERS": [
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        ],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ],
        "LOGIN_URL": "/accounts/login/",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_AGE": 8 * 3600,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag(env, "MESCAMS_SECURE_COOKIES"),
        "CSRF_COOKIE_SECURE": _flag(env, "MESCAMS_SECURE_COOKIES"),
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "LANGUAGE_CODE": DEFAULT_LANGUAGE,
        "LANGUAGES": LANGUAGES,
        "USE_I18N": True,
        "LANGUAGE_COOKIE_NAME": "mescams_language",
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SAMESITE": "Lax",
        "LOCALE_PATHS": [str(data_dir(env) / "locale")],  # compiled by configure() from mescams/locale
        "FORMAT_MODULE_PATH": "mescams.edc.web.formats",  # ISO 8601 dates; 2,5 in French
        "STATIC_URL": "/static/",
        "STATIC_ROOT": str(data_dir(env) / "static"),
        "MEDIA_ROOT": str(data_dir(env) / "uploads"),
        # e-mail notifications (mescams.edc.notifications): an SMTP server, or the console in demo mode
        "EMAIL_BACKEND": env.get("MESCAMS_MAIL_BACKEND") or (
            "django.core.mail.backends.console.EmailBackend" if demo and not env.get("MESCAMS_SMTP_HOST")
            else "django.core.mail.backends.smtp.EmailBackend"),
        "EMAIL_HOST": env.get("MESCAMS_SMTP_HOST", "localhost"),
        "EMAIL_PORT": int(env.get("MESCAMS_SMTP_PORT", "25")),
        "EMAIL_HOST_USER": env.get("MESCAMS_SMTP_USER", ""),
        "EMAIL_HOST_PASSWORD": env.get("MESCAMS_SMTP_PASSWORD", ""),
        "EMAIL_USE_TLS": env.get("MESCAMS_SMTP_STARTTLS", "") == "1",
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": env.get("MESCAMS_MAIL_FROM", "mescams@localhost"),
        "LOGGING": {
            "version": 1,
            "disable_existing_loggers": False,
            # a 403 is one line, not a traceback (mescams.edc.web.log_filters)
            "filters": {"one_line_403": {"()": "mescams.edc.web.log_filters.OneLineForbidden"}},
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "loggers": {"django.request": {"filters": ["one_line_403"]}},
            "root": {"handlers": ["console"], "level": env.get("MESCAMS_LOG_LEVEL", "WARNING")},
        },
        **mail_settings(env, demo=demo),
        **security_settings(env, demo=demo),  # sessions, cookies, headers (override the values above)
    }


def configure(env: Mapping[str, str] | None = None, **overrides: Any) -> None:
    """Configure Django from ``env`` once per process and set it up; later calls do nothing."""
    import django
    from django.conf import settings

    if not settings.configured:
        values = build_settings(env)
        values.update(overrides)
        if values["DATABASES"]["default"]["ENGINE"].endswith("sqlite3"):
            Path(values["DATABASES"]["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        for locale_dir in values["LOCALE_PATHS"]:
            compile_catalogues(Path(locale_dir))
        settings.configure(**values)
    django.setup()
