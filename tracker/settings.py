"""Settings for the tracker, read from the environment once, here.

With no environment at all it runs for local development on SQLite. Production
sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and a postgres:// DATABASE_URL.
"""

import importlib.util
import ipaddress
import os
import zoneinfo
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import validate_email
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    raw = os.environ.get(name, default).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of true/false, yes/no, on/off, 1/0.")


def envint(name: str, default: str) -> int:
    raw = os.environ.get(name, default).strip()
    # ASCII digits only: "²".isdigit() is true, and int() refuses it.
    if not (raw.isascii() and raw.isdigit()):
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number of zero or more.")
    return int(raw)


def envfloat(name: str, default: str) -> float:
    raw = os.environ.get(name, default).strip()
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 1000:  # also refuses nan and inf
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number above 0, such as 1.1.")
    return value


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envnetworks(name: str, default: str) -> list:
    networks = []
    for item in envlist(name, default):
        try:
            # strict: "10.0.0.1/24" is refused here as gunicorn's forwarded_allow_ips refuses it.
            networks.append(ipaddress.ip_network(item))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network such as 127.0.0.1 or 10.0.0.0/8 ({error})."
            ) from error
    return networks


# SQLite, named by DATABASE_URL or not: writers queue for the lock (IMMEDIATE
# transactions, up to 20 s) instead of failing with "database is locked", and
# WAL lets readers go on while an editor saves.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def envdatabase(name: str, default_sqlite: Path) -> dict:
    url = envstr(name)
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite, "OPTIONS": dict(SQLITE_OPTIONS)}
    return parse_database(name, url)


def parse_database(name: str, url: str) -> dict:
    """The DATABASES entry of one URL; `name` is what an error message calls it."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ImproperlyConfigured(f"{name} must start with postgres:// (or sqlite:///path); got a {scheme!r} URL.")
    try:
        # Persistent connections, checked before reuse so a restarted database
        # server costs one failed health check, not one failed request.
        database = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} could not be parsed: {error}") from error
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # However the file is named (no URL, or sqlite:///path), SQLite runs the same way: in WAL mode,
        # readers never wait for a writer nor a writer for readers, and writers queue for the lock.
        database["OPTIONS"] = {**SQLITE_OPTIONS, **database.get("OPTIONS", {})}
        # A connection kept open across requests keeps its page cache; SQLite has no server to check.
        database["CONN_HEALTH_CHECKS"] = False
    if not database.get("NAME"):
        raise ImproperlyConfigured(
            f"{name} names no database: add it after the host, as in postgres://host:5432/tracker."
        )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # A web request's queries each run on one core (PG_PARALLEL_WORKERS,
        # default 0): on a small server, parallel plans for one request take
        # the cores the other requests need (on 2 cores and 8 clients, the
        # registry's p95 went from 318 ms to 39 ms without them).
        workers = envint("PG_PARALLEL_WORKERS", "0")
        # Reading a row by index costs little more than reading it in turn
        # when the data is in memory or on SSD, as on any current server
        # (PostgreSQL's default, 4, dates from spinning disks): at 1.1 the
        # planner finds a filtered registry's people by their keys rather than
        # reading every person (PG_RANDOM_PAGE_COST).
        page_cost = envfloat("PG_RANDOM_PAGE_COST", "1.1")
        options = database.setdefault("OPTIONS", {})
        # Django turns psycopg's prepared statements off; the queries of a fixed shape that ask for them
        # (tracker/prepared.py) are planned once per connection. PG_PREPARED=false behind a pooler that
        # cannot keep them (PgBouncer in transaction mode before 1.21).
        if envbool("PG_PREPARED", "true"):
            options.setdefault("prepare_threshold", 5)
        settings = f"-c max_parallel_workers_per_gather={workers} -c random_page_cost={page_cost}"
        options["options"] = f"{options.get('options', '')} {settings}".strip()
    return database


def envreplicas(name: str, primary: dict) -> dict:
    """DATABASES entries for the read replicas a comma-separated URL list names: {"replica1": {...}, ...}.

    Public pages read from them (tracker/routers.py); a replica streams from the primary, so both are PostgreSQL.
    """
    urls = envlist(name)
    if urls and primary["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"{name} is set but DATABASE_URL does not name a PostgreSQL database: read replicas stream "
            f"from a PostgreSQL primary, so set DATABASE_URL=postgres://… (the primary) or unset {name}."
        )
    replicas = {}
    for number, url in enumerate(urls, 1):
        label = f"{name} (URL {number} of {len(urls)})"
        database = parse_database(label, url)
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise ImproperlyConfigured(f"{label} must be a postgres:// URL: a replica of PostgreSQL is PostgreSQL.")
        # A replica that stopped answering costs a request at most this long before it reads from the
        # primary (libpq counts whole seconds, at least 2), and it is then left alone for REPLICA_RETRY_SECONDS.
        database["OPTIONS"].setdefault("connect_timeout", envint("REPLICA_CONNECT_TIMEOUT", "2"))
        # Tests run against the primary's test database: a replica has none of its own.
        database["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{number}"] = database
    return replicas


def envcache(redis_name: str, dir_name: str, default_dir: Path) -> dict:
    """The default cache: Redis shared by every server (REDIS_URL), else files under CACHE_DIR, or memory."""
    redis_url = envstr(redis_name)
    if redis_url:
        if envstr(dir_name):
            raise ImproperlyConfigured(
                f"{redis_name} and {dir_name} are both set: the cache is in Redis or in files, not both; unset one."
            )
        scheme = redis_url.split(":", 1)[0].lower()
        if scheme not in {"redis", "rediss", "unix"} or "://" not in redis_url:
            raise ImproperlyConfigured(
                f"{redis_name} must be a redis://host:6379/0, rediss:// or unix:///path URL; got {redis_url!r}."
            )
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured(
                f"{redis_name} is set but the redis package is not installed (pip install redis)."
            )
        return {
            # Django's RedisCache, with Redis down read as an empty cache (tracker/rediscache.py).
            "BACKEND": "tracker.rediscache.TolerantRedisCache",
            "LOCATION": redis_url,
            # A Redis that stops answering costs a request a second, not gunicorn's whole timeout.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    cache_dir = envstr(dir_name) or str(default_dir)
    if cache_dir == "memory":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 2000}}
    return {"BACKEND": "tracker.filecache.FileCache", "LOCATION": cache_dir, "OPTIONS": {"MAX_ENTRIES": 5000}}


def envshared(name: str, *local_names: str) -> Path | None:
    """The directory every application server mounts (SHARED_STORAGE_DIR), or None for one server's own disk."""
    raw = envstr(name)
    if not raw:
        return None
    shared = Path(raw)
    if not shared.is_absolute():
        raise ImproperlyConfigured(f"{name}={raw!r} is not an absolute path such as /srv/tracker-shared.")
    for local in local_names:
        if envstr(local):
            raise ImproperlyConfigured(
                f"{local} and {name} are both set: with {name} those files live under it; unset {local}."
            )
    return shared


def envtimezone(name: str, default: str) -> str:
    value = envstr(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not an IANA time zone such as 'UTC' or 'Europe/Minsk'."
        ) from error
    return value


DEBUG = envbool("DEBUG", "true")

# With no environment the settings are a developer's: DEBUG on and a key
# written here, which anyone can read. A server process (tracker/wsgi.py,
# tracker/asgi.py: gunicorn, and runserver too) refuses to start with either
# unless DEVELOPMENT_MACHINE says this is a developer's machine (`make run`
# says so); `check --deploy` names the key as an error (tracker/checks.py).
DEVELOPMENT_MACHINE = envbool("DEVELOPMENT_MACHINE", "false")
DEVELOPMENT_SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# HTTPS outside DEBUG: redirects, HSTS, cookies sent only over HTTPS and
# never readable by scripts. Behind a proxy that ends TLS, set
# SECURE_PROXY_SSL_HEADER=1 so that its X-Forwarded-Proto is trusted (and
# make sure the proxy sets it), or SECURE_SSL_REDIRECT=false if the proxy
# redirects itself.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "false" if DEBUG else "true")
if envbool("SECURE_PROXY_SSL_HEADER", "false"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("SECURE_HSTS_SECONDS", "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "false" if DEBUG else "true")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "false" if DEBUG else "true")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Admin sessions are short (SESSION_SECONDS, default four hours) and end with
# the browser: an editor's unattended laptop is not a way in for long.
SESSION_COOKIE_AGE = envint("SESSION_SECONDS", "14400")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT failed sign-ins
# for one username from one address, that pair is refused for an hour. The
# pair, not the username alone, so an attacker cannot lock an editor out by
# guessing wrong under their name; an administrator lifts a lockout in the
# admin (Access attempts) or with `manage.py axes_reset_username NAME`.
# Behind a reverse proxy, TRUSTED_PROXIES says how many proxies append to
# X-Forwarded-For, so the address is the client's, not the proxy's
# (accounts/addresses.py); with
# none (the default) the connection's own address counts and the header,
# which anyone can send, is ignored.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", "0")
# The addresses those proxies connect from: X-Forwarded-For is read only on a
# connection from one of them, so a client that reaches the server directly
# cannot write its own address into the header (gunicorn's forwarded_allow_ips
# is the same idea). Addresses or networks, comma-separated.
PROXY_ADDRESSES = envnetworks("PROXY_ADDRESSES", "127.0.0.1,::1")
# Where gunicorn listens (gunicorn.conf.py reads the same variable): only
# where the proxy reaches it; `check --deploy` warns of a public address
# while TRUSTED_PROXIES is set.
SERVER_BIND = envlist("BIND", "127.0.0.1:8000")
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"
# The second factor every staff account signs in with (accounts/second_factor.py):
# the name authenticator apps show beside the codes, and the waits after wrong
# codes (1, 2, 4, 8… seconds, per device).
OTP_TOTP_ISSUER = envstr("OTP_ISSUER", "Political prisoner tracker")
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = 1
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Content Security Policy, on every response, public pages and admin alike:
# scripts, styles, fonts and images only from this site (images also as
# data: URLs, which the API documentation draws its icons with), no inline
# script or style anywhere (the templates have none, so there is no nonce to
# keep out of cached pages), no plugins, no framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Covering indexes (INCLUDE) are PostgreSQL's; on SQLite Django keeps their key
# columns and warns once per index (models.W040). That is what we want.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    # The admin, with the second factor its site requires (accounts/second_factor.py).
    "accounts.apps.SecondFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "django_filters",
    "simple_history",
    # django-axes, under the name the admin shows (accounts/apps.py).
    "accounts.apps.SignInThrottlingConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    # Swagger UI's files, served from here: the documentation page loads nothing from elsewhere.
    "drf_spectacular_sidecar",
    # Staff accounts: after django.contrib.auth and django-otp, whose admin pages accounts/admin.py replaces.
    "accounts",
    "tracker",
    "events",
    # Only for `manage.py seed_demo` (no models, no pages); it refuses a database that holds real data.
    "demo",
]

MIDDLEWARE = [
    # HTML, CSV and JSON compressed for clients that accept it (outermost: it sees the finished body).
    # Cached public pages are kept compressed and sent as they are (tracker/caching.py); static files
    # come precompressed from WhiteNoise. Its random padding keeps BREACH off the admin's CSRF tokens.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Static files from the app itself: compressed, and cached for a year
    # under names that change with their content (outside DEBUG).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # With read replicas, where this request reads (tracker/routers.py); without, it removes itself.
    "tracker.routers.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with the second factor too.
    "django_otp.middleware.OTPMiddleware",
    # Records request.user as the author of every history row.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Cached public reads are keyed by the data version, read once per request.
    "tracker.caching.DataVersionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as its documentation asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

DATABASES = {"default": envdatabase("DATABASE_URL", BASE_DIR / "db.sqlite3")}
# Read replicas (DATABASE_REPLICA_URLS, comma-separated postgres:// URLs): an anonymous reader's
# GET reads from one of them; editors, the admin, every write and a client that wrote in the last
# READ_PRIMARY_SECONDS read from the primary (tracker/routers.py). A replica that cannot be reached
# is skipped for REPLICA_RETRY_SECONDS, its readers served by the primary meanwhile.
DATABASES.update(envreplicas("DATABASE_REPLICA_URLS", DATABASES["default"]))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["tracker.routers.ReplicaRouter"]
READ_PRIMARY_SECONDS = envint("READ_PRIMARY_SECONDS", "10")
REPLICA_RETRY_SECONDS = envint("REPLICA_RETRY_SECONDS", "5")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages the site's own words are translated into (issue #16): the catalogues are locale/<code>/LC_MESSAGES/
# django.po, compiled by the set-up (make messages). Belarusian in its official orthography (docs/glossary.md).
LANGUAGES = [("be", "Беларуская"), ("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = envtimezone("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production (DEBUG off) serves the collected files under content-hashed
    # names (run collectstatic); development and tests use the plain names.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Public reads cached, keyed by the data version (tracker/caching.py), so a
# write shows at once everywhere. By default in files under CACHE_DIR, shared
# by the server's worker processes (what one computes, all read); with
# CACHE_DIR=memory, in each process's memory instead; with REDIS_URL
# (redis://host:6379/0), in Redis, shared by every application server.
CACHES = {"default": envcache("REDIS_URL", "CACHE_DIR", BASE_DIR / "var" / "cache")}

# Seed and demo data: `manage.py loaddata belarus`.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Files that more than one application server needs: with SHARED_STORAGE_DIR
# (a directory every server mounts: NFS, a shared volume), the import's
# spreadsheets and the data package live under it, read and written through
# Django's storage API (STORAGES["imports"], STORAGES["dataset"]), so an import
# previewed on one server is confirmed on another and a package built by one is
# served by all. An object store instead: name any storage backend in those
# two STORAGES entries. Without it, each is a folder of this server's own.
SHARED_STORAGE_DIR = envshared("SHARED_STORAGE_DIR", "IMPORT_TMP_DIR", "DATASET_DIR")
# Spreadsheets kept between an import's preview and its confirmation: private,
# outside anything served (static, media).
IMPORT_TMP_DIR = (
    SHARED_STORAGE_DIR / "imports"
    if SHARED_STORAGE_DIR
    else Path(envstr("IMPORT_TMP_DIR") or BASE_DIR / "var" / "imports")
)
# The published data package (`manage.py export_dataset`), served from /data/package/.
DATASET_DIR = (
    SHARED_STORAGE_DIR / "dataset"
    if SHARED_STORAGE_DIR
    else Path(envstr("DATASET_DIR") or BASE_DIR / "var" / "dataset")
)
if SHARED_STORAGE_DIR:
    STORAGES["imports"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Readable by the application's user alone: a sheet may hold names not yet public.
        "OPTIONS": {"location": IMPORT_TMP_DIR, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
    STORAGES["dataset"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATASET_DIR},
    }
# Whole-list downloads (a list with no filter; the prisoners by custody status), one file per data
# version (events/download_files.py): in STORAGES["downloads"] if named, else beside the data package
# (STORAGES["dataset"], under downloads/: shared with SHARED_STORAGE_DIR), else under DOWNLOAD_DIR,
# by default beside DATASET_DIR (var/dataset-downloads).
DOWNLOAD_DIR = envstr("DOWNLOAD_DIR")
# Downloads that read the database (filtered ones, and the one writing a list's file) at once, in all:
# shared by one machine's processes through lock files, by every machine through Redis. Beyond them,
# a 503 with Retry-After: a few downloads never hold every worker.
DOWNLOAD_SLOTS = envint("DOWNLOAD_SLOTS", "2")
DOWNLOAD_RETRY_AFTER = envint("DOWNLOAD_RETRY_AFTER", "30")
# The proxy serves the stored files itself when told where (nginx: an internal location on the
# downloads folder, deploy/nginx.conf), e.g. /internal-downloads/; else X-Sendfile (Apache, lighttpd)
# with DOWNLOAD_SENDFILE; else the application streams them in large blocks.
DOWNLOAD_ACCEL_PREFIX = envstr("DOWNLOAD_ACCEL_PREFIX")
DOWNLOAD_SENDFILE = envbool("DOWNLOAD_SENDFILE", "false")
# The public address of the site, for the record URLs inside the data package.
SITE_URL = envstr("SITE_URL") or "http://127.0.0.1:8000"
# The licence the data package is published under (an SPDX identifier).
DATA_LICENSE = envstr("DATA_LICENSE") or "CC-BY-4.0"
# Who keeps this copy of the tracker, and where readers write to correct an error or to ask that a name be
# withheld: the About page says both. A deployment without them gets a warning from `check --deploy`.
SITE_KEEPER = envstr("SITE_KEEPER")
CONTACT_EMAIL = envstr("CONTACT_EMAIL")
if CONTACT_EMAIL:
    try:
        validate_email(CONTACT_EMAIL)
    except ValidationError:
        raise ImproperlyConfigured(f"CONTACT_EMAIL={CONTACT_EMAIL!r} is not an email address.") from None


# The read-only JSON API (/api/v1/): anonymous, JSON only, every list through
# events.pagination.KeysetPagination. Sessions are not read, so a signed-in
# editor gets exactly what the public gets.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "events.api_lists.exception_handler",
    # ?format= is not a parameter of ours: an unknown parameter is a 400.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Political prisoner release tracker API",
    "DESCRIPTION": (
        "Read-only access to every published record: events, releases, figures, measures, "
        "the prisoner registry and sources. Lists take the same filters as the public pages "
        "and are paged with an opaque cursor: follow `next` until it is null."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": False,
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": ["day", "month", "year"],
        "EventKindEnum": "events.models.EventKind",
        "MeasureKindEnum": "events.models.MeasureKind",
    },
}


# Warnings and errors, with their tracebacks, to standard error (gunicorn's log):
# Django's default sends them nowhere when DEBUG is off and no ADMINS are set.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
