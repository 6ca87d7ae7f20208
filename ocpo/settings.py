"""Settings for ocpo, read from the environment (twelve-factor).

Development defaults need nothing set: a SQLite file under ``var/`` and DEBUG on.
``OCPO_ENV=production`` turns the safe defaults off and requires a real SECRET_KEY.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

OCPO_ENV = env.str("OCPO_ENV", default="development")
PRODUCTION = OCPO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when OCPO_ENV=production.")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="ocpo-development-key-not-for-production")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "reversion",
    "axes",
    "ocpo",
    "sources",
    "missions",
    "interfaces",
    "measures",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Under /api/, every error answer (even one no DRF view made) is an RFC 9457 problem.
    "ocpo.problems.ProblemMiddleware",
    # NUL in the URL (PostgreSQL cannot hold it) and chunked bodies: refused up front.
    "ocpo.request_guard.RequestGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control for proxies and CDNs: public for anonymous reads, private otherwise.
    "ocpo.cache_headers.CacheControlMiddleware",
    # With a replica configured: writes and a writer's next reads go to the primary.
    "ocpo.replicas.ReadYourWritesMiddleware",
    "ocpo.middleware.AnonymousCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the page cache (cached answers are free) and auth (editors are not limited).
    "ocpo.throttling.PageRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ocpo.middleware.DataVersionMiddleware",
    # Every write (admin or API) becomes a revision: who, when, and the record's state;
    # a request that fails with a server error leaves neither its writes nor a revision.
    "ocpo.revisions.RevisionMiddleware",
    # Login throttling: locks out repeated failed logins (counted in the database).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "ocpo.urls"

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
                "ocpo.context_processors.knowledge_base",
            ],
        },
    },
]

# Widgets render with the project's templates, so that templates/django/forms/ can
# override Django's (the select writes its options in place: see its comment).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "ocpo.wsgi.application"

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ocpo.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)  # the default database lives in the ignored var/ folder
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

# A PostgreSQL streaming replica for reads (ocpo.replicas routes them; see the README's
# "Deploying on several machines"). Tests mirror it onto the default database.
if env.str("OCPO_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url("OCPO_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}

# PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high: the
# full CSV export of 100,000 findings spent 2.8 s of 14 s compiling (EXPLAIN ANALYZE) and
# gained nothing. Off per connection unless OCPO_PG_JIT=true (a pooler may drop this
# startup option: then set jit = off in postgresql.conf).
if not env.bool("OCPO_PG_JIT", default=False):
    for alias in DATABASES:
        if DATABASES[alias]["ENGINE"].endswith("postgresql"):
            DATABASES[alias].setdefault("OPTIONS", {})["options"] = "-c jit=off"

DATABASE_ROUTERS = ["ocpo.replicas.PrimaryReplicaRouter"]
OCPO_REPLICA_MAX_LAG = env.float("OCPO_REPLICA_MAX_LAG", default=5.0)
OCPO_READ_YOUR_WRITES_SECONDS = env.int("OCPO_READ_YOUR_WRITES_SECONDS", default=30)

# Behind pgbouncer in transaction mode a connection may serve another client between two
# transactions: no prepared statements (psycopg prepares a query after 5 runs), and short
# connect timeouts so a missing server is noticed. Server-side cursors stay on: Django only
# makes them WITH HOLD outside a transaction, and the CSV stream runs its iterator inside one.
if env.bool("OCPO_PGBOUNCER", default=False):
    for alias in DATABASES:
        DATABASES[alias].setdefault("OPTIONS", {}).update(
            {"prepare_threshold": None, "connect_timeout": 3}
        )
# A kept connection is checked before a request reuses it: after a pooler or database
# restart, the next request reconnects instead of failing.
for alias in DATABASES:
    DATABASES[alias]["CONN_HEALTH_CHECKS"] = DATABASES[alias]["CONN_MAX_AGE"] != 0

# One cache shared by every worker in production (CACHE_URL=redis://127.0.0.1:6379/1):
# rate-limit counters and cached pages must be the same whichever worker answers.
# Redis must have a memory limit with an eviction policy (deploy/redis.conf). Short timeouts:
# when Redis is down or slow, pages are served without it instead of waiting for it.
CACHES = {
    "default": env.cache_url(
        "CACHE_URL", default="redis://127.0.0.1:6379/1" if PRODUCTION else "locmemcache://ocpo"
    )
}
if "redis" in CACHES["default"]["BACKEND"]:
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("OCPO_CACHE_TIMEOUT", default=0.5),
        socket_timeout=env.float("OCPO_CACHE_TIMEOUT", default=0.5),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "ocpo" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The knowledge base: curated fixtures and the version researchers cite.
KB_FIXTURES_DIR = Path(env.str("OCPO_FIXTURES_DIR", default=str(BASE_DIR / "fixtures")))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "ocpo.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ocpo.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "ocpo.rest.SearchFilter",
        "ocpo.rest.OrderingFilter",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    # Token first: its WWW-Authenticate makes a missing or bad credential a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ocpo.problems.ContentNegotiation",
    # Every error as an RFC 9457 problem (ocpo/problems.py, ocpo/exception_handler.py).
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
}
DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "ocpo.exception_handler.ProblemHandler",
    "EXCEPTION_FORMATTER_CLASS": "ocpo.exception_handler.ProblemFormatter",
    # The same answer in development as in production; the traceback is still logged.
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ocpo API",
    "DESCRIPTION": (
        "Read-only for everyone, writable by editors: the interfaces between peace operations "
        "and organized crime, the missions, documents and measures, as linked records.\n\n"
        "Records are addressed by natural key (ISO3 code, acronym, slug), case-insensitively. "
        "Lists link records by natural key; a detail embeds short summaries of them instead. "
        "Writes take natural keys. Filters match natural keys case-insensitively; give several "
        "values repeated (`?mission=UNMIL&mission=UNAMSIL`) or comma-separated "
        "(`?mission=UNMIL,UNAMSIL`); an unknown key gives an empty list, an unreadable value "
        "a 400. Every list also answers in CSV (`?format=csv` or `Accept: text/csv`) with all "
        "matching rows. Every response names the data set's version in `X-OCPO-Data-Version`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from the public validator: the reference loads nothing from another host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "missions.models.DocumentKind",
        "MissionKindEnum": "missions.models.MissionKind",
        "PoliceFunctionKindEnum": "measures.models.PoliceFunctionKind",
        "LinkBasisEnum": "sources.models.LinkBasis",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The paper's text, used by check_kb to verify quotations verbatim. Optional locally;
# OCPO_REQUIRE_PAPER=1 (CI) makes a missing text an error instead of a skipped check.
KB_PAPER_PATH = env.str(
    "OCPO_PAPER", default=str(BASE_DIR.parent / "shared" / "seed" / "interfaces-paper.txt")
)
KB_REQUIRE_PAPER = env.bool("OCPO_REQUIRE_PAPER", default=False)

# Content Security Policy on every response (django-csp): no inline scripts or styles
# anywhere, so templates use classes and static files, never style= or <script> bodies.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the app server over plain HTTP: a 301 would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/|$)"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Anonymous GETs: ETags from the data state, 304s, and answers cached until data changes.
# Only canonical URLs are kept, answers up to OCPO_CACHE_MAX_BYTES, and each client adds
# at most OCPO_CACHE_FILL_RATE new entries (beyond it, answers are served but not kept).
OCPO_ANONYMOUS_CACHE = env.bool("OCPO_ANONYMOUS_CACHE", default=True)
# Counts over the whole knowledge base (matrix, home page) kept until the data changes.
OCPO_AGGREGATE_CACHE = env.bool("OCPO_AGGREGATE_CACHE", default=True)
# How long a proxy or CDN may serve an anonymous answer before revalidating its ETag.
OCPO_PUBLIC_MAX_AGE = env.int("OCPO_PUBLIC_MAX_AGE", default=30)
OCPO_CACHE_MAX_BYTES = env.int("OCPO_CACHE_MAX_BYTES", default=256 * 1024)
OCPO_CACHE_FILL_RATE = env.str("OCPO_CACHE_FILL_RATE", default="120/minute") or None

# Abuse limits. Anonymous API clients get OCPO_API_ANON_RATE requests (counted in the
# shared cache); OCPO_NUM_PROXIES is how many proxies in front of us append to
# X-Forwarded-For, so a client cannot pass itself off as another by sending the header.
OCPO_API_ANON_RATE = env.str("OCPO_API_ANON_RATE", default="1200/minute") or None
# Portal pages that run a view (cache misses) per anonymous address; cached answers are free.
OCPO_PAGE_ANON_RATE = env.str("OCPO_PAGE_ANON_RATE", default="300/minute") or None
OCPO_NUM_PROXIES = env.int("OCPO_NUM_PROXIES", default=0)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["ocpo.throttling.AnonReadThrottle"]
REST_FRAMEWORK["NUM_PROXIES"] = OCPO_NUM_PROXIES
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # request bodies: 1 MiB is ample for any record
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# Failed logins (django-axes, counted in the database): an address is locked out after
# OCPO_LOGIN_FAILURE_LIMIT failures on one account, or across accounts (password
# spraying), for OCPO_LOGIN_COOLOFF_HOURS. The address is the client's real one
# (django-ipware): behind the proxy, the right-most X-Forwarded-For entry (what the proxy
# saw), never what the client wrote before it; without a proxy, the socket's address. An
# editor's account is never locked for everyone, only for the addresses that failed.
AXES_FAILURE_LIMIT = env.int("OCPO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("OCPO_LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_ORDER = "right-most"
# python-ipware counts the proxies listed in the header: the nearest one is not listed.
AXES_IPWARE_PROXY_COUNT = OCPO_NUM_PROXIES - 1 if OCPO_NUM_PROXIES > 1 else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if OCPO_NUM_PROXIES else ["REMOTE_ADDR"]
)
