"""Settings shared by every environment. Everything that differs between machines is read from the environment.

DAE_DATABASE_URL   database URL (default: SQLite file under var/)
DAE_SECRET_KEY     secret key (development default only outside production)
DAE_DEBUG          "1" to turn debug on
DAE_ALLOWED_HOSTS  comma-separated host names
DAE_VAR_DIR        where SQLite, uploads and exports live (default: <repo>/var)
DAE_SMS_BACKEND    dotted path of the SMS gateway (default: local outbox)
DAE_PLATFORM_URL   the medical insurance platform's interface address (DAE_PLATFORM_* tune it; see PLATFORM)
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

SRC_DIR = Path(__file__).resolve().parents[1]
REPO_DIR = SRC_DIR.parents[1]
VAR_DIR = Path(os.environ.get("DAE_VAR_DIR", REPO_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("DAE_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
DEBUG = os.environ.get("DAE_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DAE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dae.core",
    "dae.accounts",
    "dae.dictionaries",
    "dae.imports",
    "dae.catalog",
    "dae.enrollment",
    "dae.claims",
    "dae.benefits",
    "dae.workdays",
    "dae.reimbursement",
    "dae.notices",
    "dae.ledger",
    "dae.bank",
    "dae.fund",
    "dae.payments",
    "dae.inspection",
    "dae.auditing",
    "dae.credit",
    "dae.archives",
    "dae.security",
    "dae.approvals",
    "dae.ops",
    "dae.web",
    "dae.demo",
    # in-hospital monitoring (issue 23)
    "dae.monitoring",
    # exchange with the medical insurance platform (issue 22)
    "dae.exchange",
    # 参保人服务 (issue 18)
    "dae.service",
    # statistics and reports (issue 16)
    "dae.reports",
    # fund forecasting and warnings (issue 17)
    "dae.forecast",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dae.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dae.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "dae.core.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dae.security.middleware.TokenMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dae.security.middleware.SignInPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dae.accounts.middleware.PermissionMatrixMiddleware",
    "dae.core.middleware.ErrorPageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dae.urls"
WSGI_APPLICATION = "dae.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
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
                "dae.web.context.shell",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DAE_DATABASE_URL", f"sqlite:///{VAR_DIR / 'dae.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dae.security.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "dae.core.api.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "dae.core.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dae API",
    "DESCRIPTION": "大额医疗费用补助承办管理系统 REST API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "dae.core.api.postprocess_schema"],
    # fields named kind / status / state carry different choice sets in different models: name each one
    "ENUM_NAME_OVERRIDES": {
        "EvaluationStatusEnum": "dae.reports.models.Evaluation.Status",  # the annual evaluation (issue 16)
        "StatementStatusEnum": "dae.payments.models.Statement.Status",
        "DeductionKindEnum": "dae.payments.models.Deduction.Kind",
        "DeductionStatusEnum": "dae.payments.models.Deduction.Status",
        "PaymentBatchKindEnum": "dae.payments.models.PaymentBatch.Kind",
        "PaymentBatchStatusEnum": "dae.payments.models.PaymentBatch.Status",
        "PaymentOrderStatusEnum": "dae.payments.models.PaymentOrder.Status",
        "BankLineStateEnum": "dae.bank.models.BankLine.State",
        "AppropriationRequestStatusEnum": "dae.fund.models.AppropriationRequest.Status",
        "ClearingKindEnum": "dae.fund.models.Clearing.Kind",
        "ClaimStateEnum": "dae.claims.states.ClaimState",
        "AuditFindingStatusEnum": "dae.auditing.models.Finding.Status",
        "AuditRunStatusEnum": "dae.auditing.models.AuditRun.Status",
        "AuditRunScopeEnum": "dae.auditing.models.AuditRun.Scope",
        "AuditFindingStepKindEnum": "dae.auditing.models.FindingStep.Kind",
        "AuditFindingLineRoleEnum": "dae.auditing.models.FindingLine.Role",
        "InspectionComparisonEnum": "dae.inspection.models.Comparison",
        "InspectionSampleStatusEnum": "dae.inspection.models.Sample.Status",
        "InspectionSeedSourceEnum": "dae.inspection.models.Sample.SeedSource",
        "InspectionStratumEnum": "dae.inspection.models.SampleItem.Stratum",
        "InspectionSampleItemStatusEnum": "dae.inspection.models.SampleItem.Status",
        "InspectionConclusionEnum": "dae.inspection.models.SampleItem.Conclusion",
        "InspectionKindEnum": "dae.inspection.models.Inspection.Kind",
        "InspectionStatusEnum": "dae.inspection.models.Inspection.Status",
        "InspectionDocumentKindEnum": "dae.inspection.models.Document.Kind",
        "InvestigationStatusEnum": "dae.inspection.models.Investigation.Status",
        "InvestigationOutcomeEnum": "dae.inspection.models.Investigation.Outcome",
        "ArchiveItemStatusEnum": "dae.archives.models.Item.Status",
        "ArchiveLoanStatusEnum": "dae.archives.models.Loan.Status",
        "ArchiveDestructionListStatusEnum": "dae.archives.models.DestructionList.Status",
        "PendingActionStatusEnum": "dae.approvals.models.PendingAction.Status",
        "PostEnum": "dae.accounts.posts.Post",
        "KnowledgeCategoryEnum": "dae.service.models.KnowledgeEntry.Category",
        "ServiceCaseCategoryEnum": "dae.service.models.Case.Category",
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Job progress is written here while the job's own transaction is still open (the web process reads it).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
}
UPLOAD_DIR = VAR_DIR / "uploads"
ARCHIVE_DIR = Path(os.environ.get("DAE_ARCHIVE_DIR", VAR_DIR / "archive"))
ARCHIVE_FONDS = os.environ.get("DAE_ARCHIVE_FONDS", "D001")  # 全宗号 of the office's archive

# --- sign-in and sessions (dae.security; 等保 2.0 level 3) ---
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dae.security.passwords.LengthValidator"},
    {"NAME": "dae.security.passwords.CharacterClassValidator"},
    {"NAME": "dae.security.passwords.NotUsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "dae.security.passwords.HistoryValidator"},
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: the account, and the address
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # an attempt during a lockout is logged, never extends it
AXES_HANDLER = "dae.security.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "dae.security.views.locked_out"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DAE_PROXY_COUNT", "0")) or None  # 1 behind one reverse proxy
SESSION_COOKIE_AGE = 8 * 3600  # the absolute limit (dae.security.policy.ABSOLUTE_SECONDS); idle logout at 30 min
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "dae"
SMS_BACKEND = os.environ.get("DAE_SMS_BACKEND", "dae.notices.sms.OutboxBackend")
# The medical insurance platform's interface (dae.exchange, docs/platform-exchange.md): its address, time-outs,
# retries, the circuit and the region's signing scheme; an empty address means no exchange is attempted.
PLATFORM = {
    "URL": os.environ.get("DAE_PLATFORM_URL", ""),
    "TIMEOUT": float(os.environ.get("DAE_PLATFORM_TIMEOUT", "10")),
    "RETRIES": int(os.environ.get("DAE_PLATFORM_RETRIES", "2")),
    "BACKOFF": float(os.environ.get("DAE_PLATFORM_BACKOFF", "0.5")),
    "CIRCUIT_FAILURES": int(os.environ.get("DAE_PLATFORM_CIRCUIT_FAILURES", "5")),
    "CIRCUIT_COOL_OFF": float(os.environ.get("DAE_PLATFORM_COOL_OFF", "60")),
    "SENDER": os.environ.get("DAE_PLATFORM_SENDER", "DAEINSURER01"),
    "SIGNER": os.environ.get("DAE_PLATFORM_SIGNER", "dae.exchange.signing.PlainJson"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DAE_LOG_LEVEL", "WARNING")},
}

