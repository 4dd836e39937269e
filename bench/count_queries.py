"""Queries per request, counted with Django's test Client against the benchmark's database.

    python bench/count_queries.py PLAN.json RESULT.json

Run by bench/run.py in a process of its own, with the server's environment and a cache of its own in memory (CACHE_DIR=memory),
before the load (so the first request of each URL finds no cached page).
Each URL is requested twice: `first` is the count with nothing cached,
`again` the count of a repeat visit. The application is not changed for
this: CaptureQueriesContext records every query of the default connection.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        try:
            response = client.get(url)
            status = response.status_code
            if getattr(response, "streaming", False):
                for _ in response.streaming_content:
                    pass
        except Exception as error:  # a view that fails is reported, not fatal
            return 500, len(queries), repr(error)
    return status, len(queries), ""


def main(plan_path, result_path):
    plan = json.loads(Path(plan_path).read_text())
    deadline = time.monotonic() + plan.get("budget", 300)
    results = {}
    for kind, urls in plan["urls"].items():
        client = Client()
        if kind == "admin":
            # Signed in as an editor is, password and second factor (accounts/second_factor.py).
            user = get_user_model().objects.get(username=plan["admin_user"])
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
            session.save()
        rows = []
        for url in urls:
            if time.monotonic() > deadline:
                break
            status, first, error = count(client, url)
            _, again, _ = count(client, url)
            rows.append({"url": url, "status": status, "first": first, "again": again, "error": error})
        results[kind] = rows
    Path(result_path).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(*sys.argv[1:3])
