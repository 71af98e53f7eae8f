"""Production: everything deployment-specific from the environment; refuses to start without a secret."""

import os

from django.core.exceptions import ImproperlyConfigured

from haining.env import env_bool, mailers_from_url

from .base import *  # noqa: F403

DEBUG = False
PRODUCTION = True  # management commands that make demo data refuse to run (home seed_demo)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (at least 50 characters).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Without EMAIL_URL, production mail goes to an MTA on the same host (never to the console).
if not os.environ.get("EMAIL_URL"):
    MAILERS = mailers_from_url("smtp://localhost:25")

SILENCED_SYSTEM_CHECKS = [
    # Wagtail's live preview shows the page in a same-origin iframe, so frames stay SAMEORIGIN.
    "security.W019",
    # The HSTS preload list is hard to leave; opt in with SECURE_HSTS_PRELOAD=1 once every subdomain has HTTPS.
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
]
