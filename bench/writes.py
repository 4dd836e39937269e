"""Writes through the site's own write path, the admin, over HTTP, as an editor makes them.

- `publish`: the "Publish" button of a draft's change page (the workflow's
  transition view), on a draft release event or a draft figure; checked
  afterwards by reading the record's status in the database.
- `save`: an editor's save of a draft event's change form, as the browser
  sends it (every field of the form, inlines included, one text field
  changed), timed from the POST to its redirect.

Drafts are found with plain SQL on the tables (as bench/pages.py does), so
nothing here imports the application's code.
"""

import html.parser
import http.client
import re
import time
import urllib.parse

from load import HEADERS

# Drafts the workflow can publish: a published source cited, a date for a release (events/models).
DRAFT_RELEASES = """
    SELECT e.id FROM events_event e
    WHERE e.status IN ('draft', 'in_review') AND e.kind = 'release' AND e.occurred_on IS NOT NULL
      AND EXISTS (SELECT 1 FROM events_citation c JOIN tracker_source s ON s.id = c.source_id
                  WHERE c.event_id = e.id AND s.status = 'published')
    ORDER BY e.id
"""
DRAFT_EVENTS = DRAFT_RELEASES.replace("AND e.kind = 'release'", "AND e.kind <> 'release'")
DRAFT_FIGURES = """
    SELECT f.id FROM events_figure f JOIN tracker_source s ON s.id = f.source_id
    LEFT JOIN events_event e ON e.id = f.event_id
    WHERE f.status IN ('draft', 'in_review') AND s.status = 'published' AND f.measure_id IS NOT NULL
      AND f.as_of_on IS NOT NULL AND (f.event_id IS NULL OR e.status = 'published')
    ORDER BY f.id
"""
STATUS = {
    "event": "SELECT status FROM events_event WHERE id = %s",
    "figure": "SELECT status FROM events_figure WHERE id = %s",
}


class Form(html.parser.HTMLParser):
    """The fields of one <form> of a page (the first whose id or action matches), as a browser would submit them."""

    def __init__(self, match):
        super().__init__(convert_charrefs=True)
        self.match = match
        self.inside = False
        self.done = False
        self.fields = []
        self.select = None
        self.select_multiple = False
        self.select_chosen = False
        self.first_option = None
        self.option = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and not self.inside:
            self.inside = self.match(attrs)
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name and "disabled" not in attrs:
            self.select, self.select_multiple, self.select_chosen, self.first_option = (
                name,
                "multiple" in attrs,
                False,
                None,
            )
        elif tag == "option" and self.select:
            self.option = attrs.get("value")
            if self.first_option is None:
                self.first_option = self.option
            if "selected" in attrs:
                self.fields.append((self.select, self.option if self.option is not None else ""))
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select:
            # A single select with nothing marked submits its first option.
            if not self.select_chosen and not self.select_multiple and self.first_option is not None:
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.fields.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(body, match):
    parser = Form(match)
    parser.feed(body.decode("utf-8", "replace"))
    return parser.fields


class Admin:
    """A signed-in editor's session (the Cookie header `admin_login` returned) on one server."""

    def __init__(self, port, cookie, db):
        self.port, self.cookie, self.db = port, cookie, db
        self.drafts = {"release": None, "event": None, "figure": None}
        self.token = None

    def request(self, method, path, fields=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {**HEADERS, **self.cookie, "Accept-Encoding": "identity"}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{self.port}",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            return response.status, response.getheader("Location", ""), content, time.perf_counter() - started
        finally:
            connection.close()

    def csrf(self):
        if self.token is None:
            status, _, body, _ = self.request("GET", "/admin/")
            found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
            if status != 200 or not found:
                raise RuntimeError(f"/admin/ answered {status} without a CSRF token: is the session signed in?")
            self.token = found.group(1).decode()
        return self.token

    def next_draft(self, kind):
        """The next draft of `kind` (release, event, figure) that the workflow should let through."""
        if self.drafts[kind] is None:
            query = {"release": DRAFT_RELEASES, "event": DRAFT_EVENTS, "figure": DRAFT_FIGURES}[kind]
            self.drafts[kind] = [row[0] for row in self.db.rows(query)]
        return self.drafts[kind].pop(0) if self.drafts[kind] else None

    def status_of(self, model, pk):
        return self.db.value(STATUS[model], (pk,))

    def transition(self, model, pk, name):
        path = f"/admin/events/{model}/{pk}/transition/"
        status, _, _, seconds = self.request("POST", path, [("csrfmiddlewaretoken", self.csrf()), ("transition", name)])
        if status != 302:
            raise RuntimeError(f"POST {path} ({name}) answered {status}")
        return seconds

    def publish(self, kind="release", tries=5):
        """Publish a draft through its change page's button: (seconds of the POST, what was published).

        When no draft of the kind is left (a small database), one this
        session published is retracted and reopened as a draft first (two
        more writes), and published again.
        """
        model = "figure" if kind == "figure" else "event"
        published = self.__dict__.setdefault("published", {}).setdefault(kind, [])
        for _ in range(tries):
            pk = self.next_draft(kind)
            if pk is None and kind == "release":
                pk = self.next_draft("event")  # any draft event: the timeline, home and event pages move
            if pk is None and published:
                pk = published.pop(0)
                self.transition(model, pk, "retract")
                self.transition(model, pk, "reopen")
            if pk is None:
                raise RuntimeError(f"no draft {kind} left to publish")
            seconds = self.transition(model, pk, "publish")
            if self.status_of(model, pk) == "published":
                published.append(pk)
                return seconds, f"{model} {pk}"
            # Refused by a publishing rule this query cannot see (a protected name): the next draft.
        raise RuntimeError(f"{tries} draft {kind}s in a row were refused publication")

    def publish_all(self, kinds=("release", "figure")):
        """One publish of each kind: a write that every public page depends on. Seconds of each POST."""
        return [self.publish(kind)[0] for kind in kinds]

    def save(self, pk=None):
        """An editor's save of a draft event's change form, its title changed: (seconds of the POST, error or None)."""
        if pk is None:
            # A draft event (on a small database, one this session published: an editor's save all the same).
            published = self.__dict__.get("published", {})
            pk = self.save_target = (
                getattr(self, "save_target", None)
                or self.next_draft("event")
                or next(iter(published.get("release", []) + published.get("event", [])), None)
            )
            if pk is None:
                raise RuntimeError("no draft event to edit")
        path = f"/admin/events/event/{pk}/change/"
        status, _, body, _ = self.request("GET", path)
        if status != 200:
            return None, f"GET {path} answered {status}"
        fields = form_fields(body, lambda attrs: attrs.get("id") == "event_form")
        if not fields:
            return None, f"{path}: no event_form found"
        edited = []
        for name, value in fields:
            if name == "title":
                value = value[: -len(" (edited)")] if value.endswith(" (edited)") else value + " (edited)"
            edited.append((name, value))
        edited.append(("_continue", "Save and continue editing"))
        status, location, body, seconds = self.request("POST", path, edited)
        if status != 302:
            errors = re.findall(rb'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', body, re.S)
            text = re.sub(r"<[^>]+>", " ", b" ".join(errors).decode("utf-8", "replace")).split()
            return seconds, f"answered {status}: {' '.join(text)[:300] or 'no error shown'}"
        return seconds, None
