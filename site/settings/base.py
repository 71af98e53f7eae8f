"""Settings shared by every environment. Safe for production: no secrets, no debug.

Deployment-specific values come from environment variables (see README). With none set, the site
runs on its embedded default: SQLite, Wagtail's database search, background tasks inline, email to
the console, a local-memory cache.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

from haining.env import env_bool, env_list, mailers_from_url, search_backend_from_url

PROJECT_DIR = Path(__file__).resolve().parent.parent  # site/
BASE_DIR = PROJECT_DIR.parent  # repository root
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "haining.users",
    "home",
    "culture",
    "training",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "ninja",
    "axes",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "haining.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haining.input_guard.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: answers locked-out log-in attempts.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haining.urls"
WSGI_APPLICATION = "haining.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Database: SQLite file by default, DATABASE_URL (PostgreSQL) in production -------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "staticfiles").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # WAL lets readers proceed during a write; IMMEDIATE takes the write lock at BEGIN so two
        # enrollments cannot both read "one seat left" (SQLite's answer to SELECT ... FOR UPDATE).
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

# django-axes first: it refuses a log-in while the client/username is locked out, then the usual backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Cache: local memory by default, Redis with REDIS_URL ----------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "haining"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}}

# --- Background work ------------------------------------------------------------------------------
# With no broker, Wagtail's tasks (search index, reference index, file clean-up) and ours run inline.
# With a broker (CELERY_BROKER_URL, defaulting to REDIS_URL) they go to Celery workers, enqueued only
# after the surrounding transaction commits (haining.tasks_backend).
BROKER_CONFIGURED = bool(os.environ.get("CELERY_BROKER_URL", REDIS_URL))
# Without a broker, tasks run eagerly in-process; "memory://" only keeps kombu from looking for a server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL) or "memory://localhost/"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = not BROKER_CONFIGURED
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_TIMEZONE = "Asia/Shanghai"
if BROKER_CONFIGURED:
    TASKS = {
        "default": {
            "BACKEND": "haining.tasks_backend.OnCommitCeleryBackend",
            "OPTIONS": {"CELERY_APP": "haining.celery.app"},
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [PROJECT_DIR / "locale"]
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

# --- Static and media -----------------------------------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Email ----------------------------------------------------------------------------------------
MAILERS = mailers_from_url(os.environ.get("EMAIL_URL", ""))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "海宁市工人文化宫 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "海宁市总工会"
# The public address (scheme://host[:port]): the default Site's hostname (`manage configure_site`), and the
# base of links in the admin and in notices.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", SITE_URL or "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "home.SiteImage"
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "doc", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "xls", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatars (and nothing outside the site's CSP)
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAILEMBEDS_FINDERS = []  # no oEmbed: third-party video hosts are often unreachable from China
WAGTAILSEARCH_BACKENDS = search_backend_from_url(os.environ.get("SEARCH_URL", ""))
WAGTAILSEARCH_HITS_MAX_AGE = 30

WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["default"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_PURGE_URL"],
    }

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # Phone and ID numbers are masked in every log line (training.services.privacy).
    "filters": {"mask_personal_data": {"()": "training.services.privacy.MaskPersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
    },
}

# --- Security defaults that hold everywhere --------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

# Content-Security-Policy (Django's own middleware). Public pages: our own files only, no inline
# script or style (templates keep JS/CSS in static/), JSON-LD data blocks are not scripts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
# The Wagtail admin and the API's Swagger page (haining.security): Wagtail's editors set inline styles
# (Draftail, Stimulus controllers, the preview panel) and previews load images from blob: URLs.
SECURE_CSP_ADMIN_PATHS = ("/admin/", "/api/v1/docs")
SECURE_CSP_ADMIN = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
}
# Features no page of this site uses are switched off for it and for anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), fullscreen=(self)"
)
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "home.views.csrf_failure"

# --- Client address, admin log-in throttling ----------------------------------------------------------
# The site's own reverse proxies (addresses or networks). Only a request whose TCP peer is one of them has
# its X-Forwarded-For believed (haining.client_address); empty: the peer's address is the client's.
# Behind nginx on the same host: TRUSTED_PROXIES=127.0.0.1,::1
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# django-axes: 5 wrong passwords for one user name from one address lock that pair for 30 minutes
# (Wagtail's log-in view authenticates through Django, so Axes sees every attempt).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "haining.client_address.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "account_locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

PRODUCTION = False  # set by haining.settings.production

# 大家都在搜 never suggests a term containing one of these (editors add more in 设置 → 搜索建议).
SEARCH_SUGGESTION_BLOCKLIST = ["代开", "发票", "加微信", "加我", "博彩", "赌", "色情", "裸聊", "刷单", "套现", "翻墙"]

# Operational switches of the training app (rate limits etc.) are read from the environment there.
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS", True)
# Per-limit overrides, e.g. {"enroll-ip": (50, 600)}: name → (requests, seconds); see training/ratelimit.py.
TRAINING_RATE_LIMITS: dict = {}

# Scheduled work of the training app, run by `celery -A haining beat` on the same workers (`make beat`).
# Without a broker, `manage run_scheduled_jobs` does the same from cron.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "training-expire-offers": {"task": "training.tasks.expire_offers", "schedule": 600.0},
    "training-release-unpaid": {"task": "training.tasks.release_unpaid", "schedule": 600.0},
    "training-lesson-reminders": {
        "task": "training.tasks.send_lesson_reminders",
        "schedule": crontab(hour=18, minute=0),
    },
    "training-purge-personal-data": {
        "task": "training.tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=30),
    },
}
# Personal data of a term's enrollments is anonymised this many days after the term ends (PIPL).
TRAINING_RETENTION_DAYS = int(os.environ.get("TRAINING_RETENTION_DAYS", "365"))
