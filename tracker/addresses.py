"""The address a request comes from, for sign-in throttling (django-axes, AXES_CLIENT_IP_CALLABLE).

Without a reverse proxy (TRUSTED_PROXIES = 0) it is the connection's own
address: X-Forwarded-For is ignored, since anyone can send it. Behind N
trusted proxies, each appends to X-Forwarded-For the address it was reached
from, so the last N entries are theirs and the client is the Nth from the
right; whatever stands to the left of it the client wrote itself, and is
ignored. A header shorter than that did not come through the proxies: the
connection's address counts. And the header is read only on a connection
from one of PROXY_ADDRESSES: a client that reaches the server directly,
past the proxy, gets its own address counted whatever it writes there.
"""
import ipaddress

from django.conf import settings


def client_address(request):
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if not proxies or not from_a_proxy(remote):
        return remote
    chain = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that appends something else is misconfigured: do not trust it
        return remote


def from_a_proxy(address):
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address in network for network in settings.PROXY_ADDRESSES)
