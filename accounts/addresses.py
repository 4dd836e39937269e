"""The address a request comes from, for sign-in throttling (django-axes, AXES_CLIENT_IP_CALLABLE).

Without a reverse proxy (TRUSTED_PROXIES = 0) it is the connection's own
address: X-Forwarded-For is ignored, since anyone can send it. Behind N
trusted proxies, each appends to X-Forwarded-For the address it was reached
from. The header is read only on a connection from one of PROXY_ADDRESSES
(or from a Unix socket, which has no address and which only what runs on
this machine reaches), so a client that reaches the server past the proxy
gets its own address counted, whatever it writes there. Walking the header
from the right, an entry that is itself one of PROXY_ADDRESSES was written
by the next proxy in, and the first entry that is not, or the Nth, is the
client: a client that went round the outer proxies to an inner one is
counted at the address the inner one saw. What stands further left the
client wrote itself, and is ignored.
"""

import ipaddress

from django.conf import settings

# Given to the throttle when a connection has no address to count (a Unix socket with no
# proxy trusted): all such clients share one counter, rather than each failure starting a
# new one, which would throttle nobody. check --deploy warns of that set-up (tracker.W003).
NO_ADDRESS = "0.0.0.0"


def client_address(request):
    raw = request.META.get("REMOTE_ADDR", "").strip()
    remote = _address(raw)
    own = str(remote) if remote else NO_ADDRESS  # the connection's own address
    # No address at all: a Unix socket, which only this machine (the proxy) reaches.
    if not settings.TRUSTED_PROXIES or not (raw == "" or from_a_proxy(remote)):
        return own
    chain = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    address = None
    for hop, entry in enumerate(reversed(chain[-settings.TRUSTED_PROXIES :]), start=1):
        address = _address(entry)
        if address is None:  # a proxy that appends something else is misconfigured: do not trust it
            return own
        if hop == settings.TRUSTED_PROXIES or not from_a_proxy(address):
            return str(address)
    # No header (it did not come through the proxies), or only proxies' entries: the first one in.
    return str(address) if address else own


def from_a_proxy(address):
    return address is not None and any(address in network for network in settings.PROXY_ADDRESSES)


def _address(text):
    """An IP address (IPv4 for an IPv4-mapped IPv6 one, ::ffff:127.0.0.1), or None."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address
