"""Configuration classes; values come from the environment with safe development defaults."""
from __future__ import annotations

import os
from datetime import timedelta


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = (os.environ.get(name) or "").strip()
    return int(value) if value.isdigit() else default


def normalise_database_url(url: str) -> str:
    """Map the common `postgres://` spellings onto the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Runtime settings. `WUYE_ENV=production` makes SECRET_KEY and DATABASE_URL mandatory."""

    WUYE_ENV = os.environ.get("WUYE_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None → SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    WUYE_DATA_DIR = os.environ.get("WUYE_DATA_DIR")  # None → <instance>/data
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    WUYE_CJK_FONT = os.environ.get("WUYE_CJK_FONT")  # None → first known system CJK font
    LOG_FORMAT = os.environ.get("LOG_FORMAT")  # "json" or "text"; None → JSON lines in production
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    # Sessions: signed cookies (stateless app servers); a per-user version ends them server-side.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", WUYE_ENV == "production")
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)

    WTF_CSRF_TIME_LIMIT = 3600
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    # Photos are shrunk on the phone to a few hundred KB; 16 MB covers one unshrunk photo.
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    MAX_FORM_PARTS = 1000
    MAX_FORM_MEMORY_SIZE = 500 * 1024  # each multipart text field; a whole form-encoded body
    # A field action's whole body (its notes are at most 500 characters); the photo upload has its own.
    FIELD_ACTION_MAX_BYTES = 64 * 1024
    # Batch replay (POST /sync/batch, R28): actions per request, and the whole JSON body.
    SYNC_BATCH_MAX_ACTIONS = 100
    SYNC_BATCH_MAX_BYTES = 8 * 1024 * 1024

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # gunicorn's worker count: several workers must share one throttle store (production refuses memory://).
    WEB_CONCURRENCY = _env_int("WEB_CONCURRENCY", 1)
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    # A security rule rather than a service standard (R14): failures per account; a site's shared IP gets more room.
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 10 minutes;30 per hour"
    LOGIN_LIMIT_PER_IP = "300 per hour"
    # The residents' window's public forms (R37): reports per address (a lobby's Wi-Fi is shared) and per phone.
    RESIDENT_LIMIT_PER_IP = "10 per hour"
    RESIDENT_LIMIT_PER_PHONE = "3 per hour"
    # The public survey form (A2): answers per address (a lobby's Wi-Fi carries a whole building) and per phone.
    SURVEY_LIMIT_PER_IP = "40 per hour"
    SURVEY_LIMIT_PER_PHONE = "5 per hour"

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "简体中文", "en": "English"}

    # Offline protocol: a device clock further than this from the server is flagged (issue 3).
    CLOCK_SKEW_FLAG_SECONDS = 600

    PASSWORD_HASH_METHOD: str | None = None  # None → Werkzeug's current default (scrypt)

    # Photos on the server (issue 4, R19-R24): limits checked before decoding, output sizes.
    PHOTO_MAX_BYTES = 15 * 1024 * 1024
    PHOTO_MAX_PIXELS = 50_000_000  # 50 MP; read from the header, before any pixel is decoded
    # The decode budget (issue 20), sized for a 2-core, 1 GB server taking 4 uploads at once: a photo whose
    # processing would peak above 96 MiB (estimated from its header: a 14.6 MP RGB PNG, an 8.8 MP RGBA PNG,
    # a 5.5 MP WebP; JPEGs count at the 1/2-1/8 scale they decode at) is refused before decoding; at most
    # PHOTO_DECODE_SLOTS decodes run at once in each worker process (2 workers × 2 = 4 × 96 MiB), and an
    # upload waits PHOTO_DECODE_WAIT_SECONDS for a slot before a 503 the phone retries.
    PHOTO_DECODE_BUDGET_BYTES = _env_int("PHOTO_DECODE_BUDGET_BYTES", 96 * 1024 * 1024)
    PHOTO_DECODE_SLOTS = _env_int("PHOTO_DECODE_SLOTS", 2)
    PHOTO_DECODE_WAIT_SECONDS = 20  # under gunicorn's 30 s worker timeout
    PHOTO_DISPLAY_EDGE = 1600
    PHOTO_THUMB_EDGE = 320
    PHOTO_JPEG_QUALITY = 82
    PHOTOS_PER_RECORD = 10

    # Alerts (issue 16): open pages poll every ALERTS_POLL_SECONDS; a background thread per process sends the
    # webhook and Web Push (off: run `flask wuye alerts-send` from cron). VAPID keys: `flask wuye vapid-keys`.
    ALERTS_POLL_SECONDS = _env_int("ALERTS_POLL_SECONDS", 3)
    ALERTS_SENDER_THREAD = _env_bool("ALERTS_SENDER_THREAD", True)
    VAPID_PRIVATE_KEY = os.environ.get("VAPID_PRIVATE_KEY")
    VAPID_PUBLIC_KEY = os.environ.get("VAPID_PUBLIC_KEY")
    VAPID_SUBJECT = os.environ.get("VAPID_SUBJECT", "mailto:admin@example.com")


class TestConfig(Config):
    """Settings for pytest: throwaway database, CSRF off unless a test turns it on, cheap hashing."""

    TESTING = True
    WUYE_ENV = "testing"
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    ALERTS_SENDER_THREAD = False  # tests send with alerts.sender.send_due
    RATELIMIT_ENABLED = False
    PUBLIC_BASE_URL = "http://wuye.test"


REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI")
