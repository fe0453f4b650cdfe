"""Settings come from MESCAMS_* variables; outside demo mode there is no default secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from mescams.edc.settings import DEMO_SECRET, SettingsError, build_settings


def test_secret_is_required_outside_demo_mode() -> None:
    with pytest.raises(SettingsError, match="MESCAMS_SECRET_KEY"):
        build_settings({})
    assert build_settings({"MESCAMS_DEMO": "1"})["SECRET_KEY"] == DEMO_SECRET
    assert build_settings({"MESCAMS_SECRET_KEY": "s" * 50})["SECRET_KEY"] == "s" * 50


def test_sqlite_in_the_data_dir_with_wal_by_default(tmp_path: Path) -> None:
    db = build_settings({"MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": str(tmp_path)})["DATABASES"]["default"]
    assert db["ENGINE"].endswith("sqlite3") and db["NAME"] == str(tmp_path / "mescams.sqlite3")
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_from_the_url() -> None:
    db = build_settings({"MESCAMS_DEMO": "1",
                         "MESCAMS_DATABASE_URL": "postgresql://edc:p%40ss@db.example:6543/trial"})["DATABASES"]
    pg = db["default"]
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql", "edc", "p@ss", "db.example", "6543", "trial")
    with pytest.raises(SettingsError, match="postgresql"):
        build_settings({"MESCAMS_DEMO": "1", "MESCAMS_DATABASE_URL": "mysql://x/y"})


def test_security_settings() -> None:
    s = build_settings({"MESCAMS_SECRET_KEY": "s" * 50})
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert "django.middleware.csrf.CsrfViewMiddleware" in s["MIDDLEWARE"]
    assert s["DEBUG"] is False and s["X_FRAME_OPTIONS"] == "DENY" and s["SESSION_COOKIE_HTTPONLY"] is True
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert s["MESCAMS_LOGIN_THROTTLE"] == (5, 15)  # free failures per account and address, longest delay (min)


def test_mail_settings_for_the_safety_reminders() -> None:
    demo = build_settings({"MESCAMS_DEMO": "1"})
    assert demo["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    prod = build_settings({"MESCAMS_SECRET_KEY": "s" * 50, "MESCAMS_EMAIL_HOST": "smtp.example.org",
                           "MESCAMS_EMAIL_PORT": "587", "MESCAMS_EMAIL_USE_TLS": "1",
                           "MESCAMS_EMAIL_FROM": "safety@example.org"})
    assert (prod["EMAIL_BACKEND"], prod["EMAIL_HOST"], prod["EMAIL_PORT"], prod["EMAIL_USE_TLS"],
            prod["DEFAULT_FROM_EMAIL"]) == ("django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 587,
                                            True, "safety@example.org")
    with pytest.raises(SettingsError, match="MESCAMS_EMAIL_PORT"):
        build_settings({"MESCAMS_DEMO": "1", "MESCAMS_EMAIL_PORT": "smtp"})
