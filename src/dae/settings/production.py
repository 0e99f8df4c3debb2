"""Production settings: secrets, the database, the hosts and the keys must come from the environment; HTTPS only
(behind a reverse proxy that sets X-Forwarded-Proto); JSON logs on stdout; static files compressed and
fingerprinted, served by WhiteNoise with long cache lifetimes. See docs/deployment.md."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, MIDDLEWARE

DEBUG = False
if "DAE_SECRET_KEY" not in os.environ:
    raise ImproperlyConfigured("生产环境必须设置 DAE_SECRET_KEY (DAE_SECRET_KEY must be set in production)")
if "DAE_DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("生产环境必须设置 DAE_DATABASE_URL，不会回退到 SQLite "
                               "(DAE_DATABASE_URL must be set in production; there is no SQLite fallback)")
SECRET_KEY = os.environ["DAE_SECRET_KEY"]
DAE_REQUIRE_KEYS = True  # field and backup keys must be given (core.crypto, ops.backup), never made up
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DAE_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes from the service manager on loopback
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "dae.ops.storage.StaticStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_MAX_AGE = 31536000

MIDDLEWARE = ["dae.ops.logs.RequestLogMiddleware", *MIDDLEWARE]
LOGGING = {
    **LOGGING,
    "formatters": {"json": {"()": "dae.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        "dae.request": {"handlers": ["console"], "level": os.environ.get("DAE_REQUEST_LOG", "INFO"), "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DAE_LOG_LEVEL", "WARNING")},
}
