"""gunicorn's settings for the tracker: `gunicorn tracker.wsgi`, run from this folder, reads them.

It listens where BIND says (127.0.0.1:8000 by default, or unix:/run/tracker.sock):
only where the reverse proxy in front reaches it, never on a public address,
so no client can reach it past the proxy. Command-line options (--bind) win.
"""

import os

bind = [address.strip() for address in os.environ.get("BIND", "127.0.0.1:8000").split(",") if address.strip()]
# X-Forwarded-Proto (https) is believed only from the proxy's own addresses.
forwarded_allow_ips = os.environ.get("PROXY_ADDRESSES", "127.0.0.1,::1")
# Idle keep-alive connections from the proxy are kept 5 s: longer than the proxy keeps them
# (deploy/nginx.conf, keepalive_timeout 4s), so the proxy never sends a request on a connection
# gunicorn is closing, which it could not safely retry if it were a POST.
keepalive = 5


def post_worker_init(worker):
    """The worker has loaded the site: what it holds now it holds for life, so the garbage collector stops scanning it.

    A full collection scans every object the process holds (Django, the URLconf, the models, the
    code): 170 ms once every ~60 requests of a measure page at 200,000 people, the whole tail of
    the page's times. Frozen (gc.freeze), those objects are left out of every collection; what
    requests make is collected as before.
    """
    import gc

    from django.urls import reverse

    reverse("events:timeline")  # the URLconf and its names, loaded now rather than by the first request
    gc.collect()
    gc.freeze()
