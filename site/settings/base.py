"""Settings shared by every environment. Safe for production: no secrets, no debug.

Deployment-specific values come from environment variables (see README). With none set, the site
runs on its embedded default: SQLite, Wagtail's database search, background tasks inline, email to
the console, a local-memory cache.
"""

import datetime
import json
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
    "notices",
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
    # Opening rush: a submission to a course flagged full/closed is refused from the shared cache here,
    # before sessions, CSRF, auth, any query or lock (training.middleware; only with TRAINING_FAST_REFUSAL).
    "training.middleware.SoldOutFastPath",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "haining.input_guard.RejectNulMiddleware",
    # Anonymous full-page cache (home.pagecache): a hit is answered here, before sessions, auth and CSRF.
    "home.pagecache.PageCacheMiddleware",
    # A page rendered after a cache miss: Wagtail's site lookup and page route from a per-process memo.
    "home.routing.RouteMemoMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A workflow approval or bulk publish refused by page validation: a Chinese banner, not a 500.
    "home.publishing.RefusedPublishMiddleware",
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
            # A Redis outage is a cache miss, not an error page (haining.cache); short socket timeouts
            # bound what a hung Redis costs a request.
            "BACKEND": "haining.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "haining"),
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
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
CELERY_TASK_IGNORE_RESULT = True
# A message is acknowledged after its task ran; a task whose worker process died (OOM, SIGKILL) goes back
# to the queue instead of being lost. Every task is safe to run twice (the outbox claims each notice once).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A web request never waits more than about a second for the broker: one try with short socket timeouts
# (notices.broker then stops trying for a while). Workers reconnect on their own.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis: an unacknowledged message is handed out again after this long. It must exceed the longest
    # countdown a task is scheduled with (notice retries: at most 60 min), or the message is duplicated.
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 1.0,
    "socket_timeout": 1.0,  # workers raise it to 10 s (haining.celery), above the 1 s BRPOP poll
    "max_retries": 0,
    # RabbitMQ (py-amqp)
    "connect_timeout": 1.0,
    "read_timeout": 1.0,
    "write_timeout": 1.0,
}
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
# The account page offers only the zone the union works in (Wagtail lists all ~600 IANA zones otherwise).
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]

# --- Static and media -----------------------------------------------------------------------------
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    # Keeps Chinese and CJK punctuation in stored names and fits each name in 255 bytes (home.uploads).
    "default": {"BACKEND": "home.uploads.SiteFileStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Email ----------------------------------------------------------------------------------------
MAILERS = mailers_from_url(os.environ.get("EMAIL_URL", ""))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "海宁市工人文化宫 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "海宁市总工会"
# No Gravatar: it is blocked or slow in mainland China (broken avatars); Wagtail shows its default avatar
# or the picture the user uploads in 账户设置.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The public address (scheme://host[:port]): the default Site's hostname (`manage configure_site`), and the
# base of links in the admin and in notices.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", SITE_URL or "http://127.0.0.1:8000")
WAGTAILIMAGES_IMAGE_MODEL = "home.SiteImage"
# Phone photos: HEIC/HEIF are accepted and converted to JPEG on upload (home.uploads, pillow-heif).
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif", "heic", "heif"]
# Ordinary camera photos are 10–25 MB; the cap is stated in the upload form. IMAGE_MAX_UPLOAD_MB overrides.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = int(float(os.environ.get("IMAGE_MAX_UPLOAD_MB", "30")) * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 120_000_000  # a 108 MP phone sensor fits; decoding more would exhaust memory
WAGTAILIMAGES_IMAGE_FORM_BASE = "home.forms.SiteImageForm"
# Animated GIFs are served as uploaded (renditions would keep only the first frame); larger ones are refused.
ANIMATED_GIF_MAX_UPLOAD_SIZE = 8 * 1024 * 1024
# Government and office formats: OFD (GB/T 33190), WPS Office (.wps/.et/.dps), archives, MP4 for the video block.
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "ofd", "doc", "docx", "wps", "xls", "xlsx", "et", "ppt", "pptx", "dps", "odt", "ods", "odp",
    "rtf", "txt", "csv", "zip", "rar", "7z", "mp4", "webm",
]  # fmt: skip
WAGTAILDOCS_MAX_UPLOAD_SIZE = int(float(os.environ.get("DOCUMENT_MAX_UPLOAD_MB", "100")) * 1024 * 1024)
WAGTAILDOCS_DOCUMENT_FORM_BASE = "home.forms.SiteDocumentForm"
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf", "text/plain", "video/mp4", "video/webm"]
# Tags typed as 健步走，全民健身 (full-width or Western commas, 、 or semicolons) become separate tags.
TAGGIT_TAGS_FROM_STRING = "home.uploads.parse_tags"
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatars (and nothing outside the site's CSP)
WAGTAIL_ALLOW_UNICODE_SLUGS = True
# Video: no oEmbed requests (most hosts are slow or blocked from China). Our finder builds the player
# address from the video id of bilibili, Tencent Video, Youku and Douyin links (home.embeds).
WAGTAILEMBEDS_FINDERS = [{"class": "home.embeds.ChinaVideoFinder"}]
# Origins the video players are framed from: the Content-Security-Policy's frame-src uses this list.
EMBED_FRAME_ORIGINS = [
    "https://player.bilibili.com",
    "https://v.qq.com",
    "https://player.youku.com",
    "https://open.douyin.com",
]
# Pasted pictures from other sites (WeChat articles) are imported into the image library when the
# server can fetch them; addresses on private networks are refused unless this is set (tests only).
PASTE_IMPORT_ALLOW_PRIVATE_HOSTS = False
PASTE_IMPORT_TIMEOUT = 5  # seconds per picture
WAGTAILSEARCH_BACKENDS = search_backend_from_url(os.environ.get("SEARCH_URL", ""))
# Searches are counted in each process and written in one batch at most this often (search.tasks).
SEARCH_HITS_FLUSH_SECONDS = int(os.environ.get("SEARCH_HITS_FLUSH_SECONDS", "30"))
WAGTAILSEARCH_HITS_MAX_AGE = 30

# --- Full-page cache and the proxy in front (docs/deployment.md) --------------------------------------
# Anonymous page views are cached in the default cache (home.pagecache). On by default only with a cache
# every app process shares (REDIS_URL): a local-memory cache could not be invalidated in other processes.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", bool(REDIS_URL))
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))  # pages, until the content changes
PAGE_CACHE_LIVE_SECONDS = int(os.environ.get("PAGE_CACHE_LIVE_SECONDS", "2"))  # pages showing seats/status
PAGE_CACHE_PROXY_SECONDS = int(os.environ.get("PAGE_CACHE_PROXY_SECONDS", "60"))  # s-maxage for nginx/CDN
PAGE_CACHE_EXCLUDED_PATHS = ("/admin/", "/django-admin/", "/api/", "/enroll/", "/elder/", "/documents/")
# Models whose rows show on public pages without a page publish: saving or deleting one bumps the content
# version (home.signals) and purges the proxy. Every site setting is included without being listed.
PAGE_CACHE_CONTENT_MODELS = [
    "wagtailcore.Site",
    # Making a page private (log-in, password or group) must take its public copy out of every cache at once.
    "wagtailcore.PageViewRestriction",
    "home.SiteImage",
    "wagtaildocs.Document",
    "home.NewsCategory",
    "culture.Venue",
    "culture.EventCategory",
    "culture.EventOccurrence",
    "training.Term",
    "training.CourseCategory",
    "training.Teacher",
    "training.Lesson",
    "training.LessonChange",
    "training.LotteryDraw",
]
# Purge on publish: nginx with the cache-purge module (deploy/nginx/haining.conf) listening for PURGE at
# FRONTEND_CACHE_PURGE_URL, e.g. http://127.0.0.1:8081 (home.frontend_cache). A CDN: add its backend here.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_PURGE_URL"):
    WAGTAILFRONTENDCACHE["default"] = {
        "BACKEND": "home.frontend_cache.NginxPurgeBackend",
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
    "frame-src": [CSP.SELF, *EMBED_FRAME_ORIGINS],  # the video block's players (home.embeds)
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
    "payment=(), usb=(), fullscreen=(self " + " ".join(f'"{origin}"' for origin in EMBED_FRAME_ORIGINS) + ")"
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
# "Full"/"closed" flags in the cache for the enrollment fast path (training.services.seats). Only with a
# cache every server process shares (Redis): a per-process cache could not drop another process's flag.
TRAINING_FAST_REFUSAL = bool(REDIS_URL) and env_bool("TRAINING_FAST_REFUSAL", True)
# Per-limit overrides, e.g. {"enroll-ip": (50, 600)}: name → (requests, seconds); see training/ratelimit.py.
# From the environment as JSON, e.g. TRAINING_RATE_LIMITS='{"enroll-ip": [2000, 600]}' for an opening
# morning when many applicants share one office or carrier NAT address.
TRAINING_RATE_LIMITS: dict = {
    name: tuple(limit) for name, limit in json.loads(os.environ.get("TRAINING_RATE_LIMITS", "") or "{}").items()
}

# Scheduled work of the training app, run by `celery -A haining beat` on the same workers (`make beat`).
# Without a broker, `manage run_scheduled_jobs` does the same from cron.
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Pages and snippets set to go live or expire at a time (定时发布/到期下线), each on its own (home.publishing).
    "home-publish-scheduled": {
        "task": "home.tasks.publish_scheduled",
        "schedule": 60.0,
        "options": {"expires": 55},  # a tick queued behind a slow run is dropped, not run late on top of it
    },
    # Notices whose delivery task never ran (broker down at the time) or whose worker died.
    "notices-sweep": {"task": "notices.tasks.sweep_notices", "schedule": 60.0},
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

# --- SMS --------------------------------------------------------------------------------------------
# Provider of text messages (notices.sms): empty = the log (number masked); aliyun://… or tencent://….
SMS_URL = os.environ.get("SMS_URL", "")
# Provider templates per notice kind: {"created:confirmed": {"id": "SMS_123", "params": ["participant", …]}}.
SMS_TEMPLATES = json.loads(os.environ.get("SMS_TEMPLATES", "") or "{}")
