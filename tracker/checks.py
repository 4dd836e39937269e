"""What a deployment must not run with: the development key, DEBUG, a proxy setting anyone can abuse.

`manage.py check --deploy` reports them (as Django's own deployment checks
do); `refuse_unsafe_start` stops a server process before it serves anything.
"""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def development_key(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is the development key written in tracker/settings.py, which anyone can read.",
                hint="Set SECRET_KEY to a long random value of this deployment's own.",
                id="tracker.E001",
            )
        ]
    return []


@register(deploy=True)
def nobody_to_write_to(app_configs, **kwargs):
    """The About page tells readers who keeps the site and where to write: to correct an error, to ask that a name be
    withheld. A public deployment without an address leaves a family with no way to ask."""
    if not settings.CONTACT_EMAIL or not settings.SITE_KEEPER:
        return [
            Warning(
                "The About page names nobody to write to: SITE_KEEPER or CONTACT_EMAIL is not set.",
                hint="Set SITE_KEEPER (who keeps this copy of the tracker) and CONTACT_EMAIL (where readers ask for "
                "corrections and for a name to be withheld).",
                id="tracker.W004",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def proxies_anyone_can_be(app_configs, **kwargs):
    """X-Forwarded-For is trusted from PROXY_ADDRESSES: a public network there lets clients choose their address."""
    if not settings.TRUSTED_PROXIES:
        return []
    public = [str(network) for network in settings.PROXY_ADDRESSES if network.prefixlen == 0 or network.is_global]
    if public:
        return [
            Warning(
                f"TRUSTED_PROXIES is set and PROXY_ADDRESSES holds public addresses ({', '.join(public)}): "
                "a client connecting from there can write its own address into X-Forwarded-For "
                "and escape the sign-in throttle.",
                hint="List only the reverse proxy's own addresses in PROXY_ADDRESSES, and let the server "
                "listen on 127.0.0.1 or a Unix socket behind it (README, Production).",
                id="tracker.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def server_reachable_past_the_proxy(app_configs, **kwargs):
    """With proxies trusted, gunicorn should listen where only the proxy reaches it (gunicorn.conf.py, BIND)."""
    if not settings.TRUSTED_PROXIES:
        return []
    exposed = [address for address in settings.SERVER_BIND if _public_bind(address)]
    if exposed:
        return [
            Warning(
                f"TRUSTED_PROXIES is set, and the server listens on {', '.join(exposed)}, "
                "which clients can reach without going through the proxy.",
                hint="Set BIND to 127.0.0.1:8000 or unix:/run/tracker.sock, so that only the proxy reaches it.",
                id="tracker.W002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def socket_without_proxies(app_configs, **kwargs):
    """A Unix socket gives no client addresses: without trusted proxies every client shares one throttle count."""
    if settings.TRUSTED_PROXIES or not any(address.startswith("unix:") for address in settings.SERVER_BIND):
        return []
    return [
        Warning(
            "The server listens on a Unix socket, which tells it no client's address, and TRUSTED_PROXIES is 0: "
            "every client shares one sign-in throttle, so wrong passwords from anyone pause an editor for everyone.",
            hint="Set TRUSTED_PROXIES to the number of reverse proxies in front (usually 1).",
            id="tracker.W003",
        )
    ]


def _public_bind(address):
    if address.startswith(("unix:", "fd://")):
        return False
    host = address.rsplit(":", 1)[0] if ":" in address else address
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        return True
    if host == "localhost":
        return False
    try:
        # A private address (10.0.0.0/8, 192.168.0.0/16…) is how a proxy on another machine reaches the
        # application servers (docs/deploy.md): the firewall keeps clients off it. A global one is exposed.
        return ipaddress.ip_address(host).is_global
    except ValueError:  # a host name: it may resolve anywhere
        return True


def refuse_unsafe_start():
    """Stop a server process that would serve the public with DEBUG on or the development key."""
    if settings.DEVELOPMENT_MACHINE:
        return
    problems = []
    if settings.DEBUG:
        problems.append("DEBUG is on (it shows tracebacks and settings to anyone)")
    if settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        problems.append("SECRET_KEY is the development key written in the code")
    if problems:
        raise ImproperlyConfigured(
            "Refusing to serve: "
            + "; ".join(problems)
            + ". In production set DEBUG=false and a SECRET_KEY of your own; "
            "on a developer's machine set DEVELOPMENT_MACHINE=true."
        )
