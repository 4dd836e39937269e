"""The child process of tests/crashproof.py: answers requests one at a time, in a database of its own.

Started as `python -m tests.probe_worker READ_FD WRITE_FD [--prepare]`. It reads
one JSON request per line from READ_FD and writes one JSON answer per line to
WRITE_FD: descriptors of its own, so that nothing Django or a library prints
on stdout or stderr can be mistaken for an answer. With --prepare it first
migrates its database (PROBE_DATABASE_NAME, of the suite's vendor) and plants
the world of tests/planted.py in it, with a few rows only an old database can
hold; a worker restarted after a crash finds them there.

The requests go through Django's test client, with the exception handling a
server has (a view's exception is the 500 page, its traceback is reported).
"""

import base64
import csv
import faulthandler
import hashlib
import io
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from django.urls import path

EDITOR_NAME = "probe-editor"
EXCERPT = 600  # characters of a body shown in a failure or kept for an assertion
# What an import's pages hand their template: the token to confirm with, and the plan's counts.
CONTEXT = ("token", "counts")
# Pages asked for once after each start, so that imports and template
# compilation are not counted in the first real request's time.
WARM_UP = [
    ("anonymous", "/"),
    ("anonymous", "/timeline/"),
    ("anonymous", "/prisoners/?q=Bialiatski"),
    ("anonymous", "/prisoners.csv"),
    ("anonymous", "/prisoners.xlsx"),
    ("anonymous", "/feeds/timeline.atom"),
    ("anonymous", "/api/v1/prisoners/"),
    ("anonymous", "/api/v1/schema.json"),
    ("editor", "/admin/tracker/person/?q=Bialiatski"),
    ("editor", "/admin/tracker/person/import/"),
]
# Drills: inputs that break the worker on purpose, to show that the harness
# reports them (tests/test_crashproof_harness.py). Understood only with
# PROBE_DRILLS=1 in the environment, which no worker of the suite's own has.
DRILLS = os.environ.get("PROBE_DRILLS") == "1"


def main(read_fd, write_fd, prepare):
    # A segmentation fault or an abort prints the Python stack to stderr
    # before the process dies; SIGUSR1 prints it without dying, which is
    # how the harness shows where a request that ran out of time was.
    faulthandler.enable(all_threads=True)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    requests = os.fdopen(read_fd, "rb")
    answers = os.fdopen(write_fd, "wb")
    started = time.perf_counter()
    timings = set_up(prepare)
    facts = planted_facts()
    warm_up = time.perf_counter()
    for role, url in WARM_UP:
        answer({"method": "GET", "url": url, "role": role})
    timings["warm_up"] = time.perf_counter() - warm_up
    timings["start"] = time.perf_counter() - started
    send(answers, {"ready": True, "timings": timings, "facts": facts})
    for line in requests:
        send(answers, answer(json.loads(line)))


def send(answers, message):
    answers.write(json.dumps(message, default=str).encode() + b"\n")
    answers.flush()


def set_up(prepare):
    """Django on the probe database; with `prepare`, migrated and planted first."""
    import django
    from django.conf import settings

    # The suite's settings, on the database the harness made for this worker.
    settings.DATABASES["default"]["NAME"] = os.environ["PROBE_DATABASE_NAME"]
    django.setup()

    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    # As pytest-django does: DEBUG off (errors are the 500 page a visitor
    # gets), the test client's host allowed, templates' contexts recorded.
    setup_test_environment(debug=False)
    timings = {}
    if prepare:
        began = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        timings["migrate"] = time.perf_counter() - began
        began = time.perf_counter()
        plant()
        timings["plant"] = time.perf_counter() - began
    return timings


def plant():
    from tests.factories import make_detention, make_person, make_source, make_user
    from tests.planted import build_world
    from tracker.roles import EDITOR

    build_world()
    make_user(EDITOR, username=EDITOR_NAME)
    # People for the searches the issue names: a one-letter first word, then a surname.
    make_detention(person=make_person(name="Siarhei Tsikhanouski"))
    make_detention(person=make_person(name="Aliaksandr Ivanou"))
    for title in FORMULAS:
        make_source(title=title)
    plant_control_characters()


# Source titles that a spreadsheet would run as formulas: the first non-blank
# character is =, +, - or @ (or their full-width forms) after blanks.
FORMULAS = [
    ' =HYPERLINK("https://evil.example")',
    "\xa0=1+1",
    "\n=1+1",
    "\uff1d1+1",
    "   +1+1",
    "\u3000@SUM(A1)",
    "\n-1+1",
]


# What an old database can hold, written past every form: a vertical tab (Word's
# soft line break) in published text of each kind a feed or a download shows,
# and a NUL byte where the database takes one (SQLite; PostgreSQL refuses it).
# (model, the planted row's marker field and value, the field written, its value)
CONTROL_CHARACTERS = [
    ("events.Event", "title", "Vertical tab release", "summary", "First line\x0bsecond line"),
    ("events.Event", "title", "Vertical tab meeting", "summary", "First line\x0bsecond line"),
    ("events.Event", "title", "Vertical tab meeting", "location", "Minsk\x0bcentre"),
    ("tracker.Source", "url", "https://news.example/vertical-tab", "title", "Vertical tab report\x0bsecond line"),
    ("events.Figure", "external_id", "vertical-tab", "quote", "Vertical tab quote\x0bsecond line"),
    ("tracker.Person", "name", "Vertical Tabson", "region", "Vertical\x0bregion"),
    ("tracker.Detention", "facility", "Vertical tab facility", "sentence", "Two\x0byears"),
    ("events.Event", "title", "NUL meeting", "summary", "NUL\x00inside"),
]


def plant_control_characters():
    from django.apps import apps
    from django.db import DatabaseError, transaction

    from events.models import Event
    from tests.factories import (
        make_detention,
        make_event,
        make_figure,
        make_measure,
        make_person,
        make_release,
        make_released_detention,
        make_source,
    )

    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="Vertical tab release")).event
    make_event(title="Vertical tab meeting")
    make_event(title="NUL meeting")
    person = make_person(name="Vertical Tabson")
    make_detention(person=person, facility="Vertical tab facility")
    make_released_detention(
        release=release,
        detention=make_detention(person=person, custody_status="deported", released_on=release.occurred_on),
    )
    source = make_source(title="Vertical tab report", url="https://news.example/vertical-tab")
    make_figure(
        measure=make_measure(slug="vertical-tab"), source=source, quote="Vertical tab quote", external_id="vertical-tab"
    )
    for label, key, marker, field, value in CONTROL_CHARACTERS:
        try:
            with transaction.atomic():
                # QuerySet.update: no form and no model validation, as for data from before the checks.
                apps.get_model(label).objects.filter(**{key: marker}).update(**{field: value})
        except (DatabaseError, ValueError):
            pass  # refused by this database: planted_facts() leaves it out


def planted_facts():
    """Where the probe database holds control characters: "events.Event.summary" -> the characters it holds."""
    from django.apps import apps
    from django.db import DatabaseError

    facts = {}
    for label, key, marker, field, value in CONTROL_CHARACTERS:
        try:
            held = apps.get_model(label).objects.filter(**{key: marker, field: value}).exists()
        except (DatabaseError, ValueError):
            held = False  # PostgreSQL cannot even be asked about a NUL
        if held:
            where = f"{label}.{field}"
            facts[where] = "".join(sorted(set(facts.get(where, "")) | {char for char in value if char in "\x00\x0b"}))
    return facts


# --- One request ------------------------------------------------------------------


def answer(request):
    from django.core.cache import cache

    if request.get("drill") and not DRILLS:
        return {"refused": "drills need PROBE_DRILLS=1"}
    if request.get("cache", "clear") == "clear":
        # Every request computes its page: a cached one would hide the input.
        cache.clear()
    from django.test import Client

    client = Client(raise_request_exception=False)
    if request.get("role", "anonymous") == "editor":
        sign_in(client)
    files = import_files()
    steps = [perform(client, request)]
    token = (steps[0].get("context") or {}).get("token")
    if request.get("confirm") and token:
        confirm = request["url"].split("?")[0].rstrip("/") + "/confirm/"
        steps.append(
            perform(
                client,
                {**request, "method": "POST", "url": confirm, "data": {"token": token}, "file": None, "drill": None},
            )
        )
    return {"steps": steps, "cache_entries": cache_entries(), "import_files_left": import_files() - files}


def sign_in(client):
    """An editor with the second factor, as tests/conftest.py's force_login gives it."""
    from django.contrib.auth.models import User
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=EDITOR_NAME)
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Probe app"})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def perform(client, request):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.signals import got_request_exception
    from django.test import override_settings

    raised = []

    def keep(sender, **kwargs):
        raised.append(traceback.format_exc())

    got_request_exception.connect(keep)
    version = data_version()
    started = time.perf_counter()
    error = None
    try:
        if request.get("drill"):
            run_drill(request["drill"])
        urlconf = {"ROOT_URLCONF": __name__} if request.get("drill") == "server-error" else {}
        with override_settings(**urlconf):
            if request.get("method", "GET") == "POST":
                data = dict(request.get("data") or {})
                upload = request.get("file")
                if upload:
                    data[upload.get("field", "file")] = SimpleUploadedFile(
                        upload["name"], base64.b64decode(upload["content"])
                    )
                response = client.post(request["url"], data)
            else:
                response = client.get(request["url"])
            # A download is streamed: an exception while writing it would cut a visitor's file short.
            body = b"".join(response.streaming_content) if response.streaming else response.content
    except Exception:
        error = traceback.format_exc()
        response, body = None, b""
    finally:
        got_request_exception.disconnect(keep)
    seconds = time.perf_counter() - started
    step = {
        "method": request.get("method", "GET"),
        "url": request["url"],
        "seconds": seconds,
        "status": response.status_code if response is not None else None,
        "error": error or (raised[0] if raised else None),
        "wrote": data_version() != version,
    }
    if response is None:
        return step
    content_type = response.get("Content-Type", "")
    text = readable(body, content_type)
    step.update(
        content_type=content_type,
        location=response.get("Location"),
        length=len(body),
        digest=hashlib.sha256(body).hexdigest(),
        excerpt=text[:EXCERPT],
        found={needle: needle in text for needle in request.get("find", [])},
        context=picked(response, CONTEXT),
    )
    if request.get("body"):
        step["text"] = text
    return step


def readable(body, content_type):
    """A response as text: a workbook's or a CSV's cells one per line, anything else decoded.

    A workbook's formula cell is written "[formula] " and its formula: text that merely looks like one is not.
    """
    if "spreadsheetml" in content_type:
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        except Exception as error:
            return f"[not a readable workbook: {error!r}]"
        return "\n".join(
            ("[formula] " if cell.data_type == "f" else "") + str(cell.value)
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        )
    text = body.decode("utf-8", "replace")
    if content_type.startswith("text/csv"):
        return "\n".join(value for row in csv.reader(io.StringIO(text, newline="")) for value in row)
    return text


def picked(response, names):
    """Some values of the template context, as JSON can carry them."""
    context = getattr(response, "context", None)
    if context is None:
        return {}
    found = {}
    for name in names:
        try:
            value = context[name]
        except KeyError:
            continue
        found[name] = value if isinstance(value, (str, int, float, bool, type(None), dict, list)) else str(value)
    return found


def data_version():
    from tracker.publishing import DataVersion

    return DataVersion.objects.filter(pk=1).values_list("number", flat=True).first()


def cache_entries():
    from django.core.cache import cache

    if hasattr(cache, "_list_cache_files"):  # FileBasedCache
        return len(cache._list_cache_files())
    return len(getattr(cache, "_cache", ()))  # LocMemCache


def import_files():
    folder = Path(os.environ["IMPORT_TMP_DIR"])
    return sum(1 for file in folder.rglob("*") if file.is_file()) if folder.exists() else 0


# --- Drills (PROBE_DRILLS=1 only) -------------------------------------------------


def run_drill(drill):
    if drill == "segfault":
        import ctypes

        ctypes.string_at(0)
    elif drill == "abort":
        os.abort()
    elif drill == "exit":
        os._exit(3)
    elif drill == "hang":
        while True:
            pass
    elif drill == "slow":
        time.sleep(2.5)
    elif drill == "noise":
        # What a library may print: none of it may be read as an answer.
        print('{"steps": [{"status": 999}]}', flush=True)
        sys.stderr.write("noise on stderr\n")


def raise_an_error(request):
    raise RuntimeError("a drill: this view always fails")


# The drill "server-error" asks for /drill/server-error/ with this module as its URLconf.
urlpatterns = [path("drill/server-error/", raise_an_error)]


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), "--prepare" in sys.argv[3:])
