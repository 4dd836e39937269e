"""The release ledger's rows, written in Python (events.views.releases.ledger_rows), are the HTML the template wrote.

The rows were a {% for %} in templates/events/releases.html; that fragment is
kept below, verbatim, as the reference: for awkward and hostile values
(markup, quotes, ampersands, values already marked safe, deprecated claims,
missing modes, destinations and links) both write the same bytes, so every
value is escaped exactly once, as before.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from events.views.releases import ledger_rows

# templates/events/releases.html's rows before they were written in the view, from "{% for" to "{% endfor %}\n".
TEMPLATE_ROWS = """{% load citations %}\
    {% for row in rows %}
    <tr role="row" id="release-{{ row.uid }}">
      <th scope="row" role="rowheader" class="release-title">
        <time datetime="{{ row.iso }}">{{ row.date }}</time>
        <a href="{{ row.url }}">{{ row.title }}</a>
      </th>
      {% for cell in row.cells %}
      <td role="cell" data-label="{{ cell.label }}">
        {% if cell.claims.shown %}
        <ul class="claims">
          {% for claim in cell.claims.shown %}
          <li class="claim{% if claim.deprecated %} deprecated{% endif %}">
            {% if claim.deprecated %}<s class="claim-value">{{ claim.words }}</s>{% else %}<strong class="claim-value">{{ claim.words }}</strong>{% endif %}
            <span class="by">{% if claim.by %}according to {{ claim.by }}, in {% endif %}{% citation claim.source %}</span>
            {% if claim.deprecated %}<span class="rank-note">Deprecated: {{ claim.reason }}</span>{% endif %}
          </li>
          {% endfor %}
        </ul>
        {% if cell.claims.disagree %}<p class="disagree">Sources differ</p>{% endif %}
        {% else %}<span class="none">Not reported</span>{% endif %}
      </td>
      {% endfor %}
      <td role="cell" data-label="Recorded in this database" class="number">{% if row.linked_released %}<a href="{{ prisoners_url }}?release={{ row.uid }}" title="The people freed, in the registry">{{ row.linked_released }}</a>{% else %}0{% endif %}</td>
      <td role="cell" data-label="How freed">
{% if row.how_freed %}        <ul class="how-freed">{% for words in row.how_freed %}<li>{{ words }}</li>{% endfor %}</ul>
{% else %}        <span class="none">Not recorded</span>
{% endif %}      </td>
      <td role="cell" data-label="Deal">
        {% if row.exchange %}
        <ul class="links">{% for link in row.exchange %}<li><span class="link-kind">{{ link.label }}:</span> <a href="{{ link.url }}">{{ link.title }}</a> (<time datetime="{{ link.iso }}">{{ link.date }}</time>)</li>{% endfor %}</ul>
        {% else %}<span class="none">None recorded</span>{% endif %}
      </td>
      <td role="cell" data-label="Diplomacy">
        {% if row.context %}
        <ul class="links">{% for link in row.context %}<li><span class="link-kind">{{ link.label }}:</span> <a href="{{ link.url }}">{{ link.title }}</a> (<time datetime="{{ link.iso }}">{{ link.date }}</time>)</li>{% endfor %}</ul>
        {% else %}<span class="none">None recorded</span>{% endif %}
      </td>
    </tr>
    {% endfor %}
"""

HOSTILE = '<script>alert("x&y")</script> O\'Brien & <b>Sons</b> &amp; &lt;'
PRISONERS = "/prisoners/"


def template_rows(rows):
    return engines["django"].from_string(TEMPLATE_ROWS).render({"rows": rows, "prisoners_url": PRISONERS})


def placed(rows):
    return f"    {ledger_rows(rows, PRISONERS)}\n"


def source(title="Viasna", url="https://spring96.org/x?a=1&b=2", publisher="Viasna"):
    return SimpleNamespace(
        title=title,
        url=url,
        publisher=SimpleNamespace(public_name=publisher) if publisher else None,
        published_on=datetime.date(2025, 12, 13),
        archive_url="",
    )


def claim(words="52", by=None, deprecated=False, reason="", src=None):
    return {"deprecated": deprecated, "words": words, "by": by, "source": src or source(), "reason": reason}


def link(label="Part of", title="US envoy visits Minsk"):
    return {"label": label, "url": "/events/0b5f4c1e/", "title": title, "iso": "2025-12-13", "date": "13 December 2025"}


def row(**kwargs):
    values = {
        "uid": "0b5f4c1e-0000-4000-8000-000000000001",
        "url": "/events/0b5f4c1e-0000-4000-8000-000000000001/",
        "title": "52 freed in exchange for lifting sanctions on Belavia",
        "iso": "2025-09-11",
        "date": "11 September 2025",
        "how_freed": [],
        "cells": [],
        "linked_released": 0,
        "exchange": [],
        "context": [],
    }
    return {**values, **kwargs}


def cell(label="Detainees released", shown=(), disagree=False):
    return {"label": label, "claims": {"figures": [], "shown": list(shown), "disagree": disagree}}


CASES = {
    "bare": [row()],
    "full": [
        row(
            how_freed=["Pardon", "Forced deportation to Lithuania (most of them)", "Sent to Poland (some of them)"],
            linked_released=41,
            cells=[
                cell(shown=[claim(), claim("about 50", by="Viasna")], disagree=True),
                cell("Political prisoners among them"),
                cell("Deprecated", shown=[claim("40", deprecated=True, reason="Corrected by the source")]),
            ],
            exchange=[link("In exchange for", "United States lifts sanctions on Belavia")],
            context=[link(), link("Follows")],
        ),
        row(uid="second", title="Another", linked_released=1234),
    ],
    "hostile": [
        row(
            uid=HOSTILE,
            url=HOSTILE,
            title=HOSTILE,
            date=HOSTILE,
            iso=HOSTILE,
            how_freed=[HOSTILE, HOSTILE],
            linked_released=3,
            cells=[
                cell(
                    HOSTILE,
                    shown=[
                        claim(HOSTILE, by=HOSTILE, src=source(HOSTILE, "", HOSTILE)),
                        claim(HOSTILE, deprecated=True, reason=HOSTILE),
                    ],
                )
            ],
            exchange=[link(HOSTILE, HOSTILE)],
            context=[link(HOSTILE, mark_safe("<em>safe</em>"))],
        )
    ],
    "sent without a mode": [row(how_freed=["Sent to Poland"])],
    "none": [],
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_rows_are_the_html_the_template_wrote(name):
    assert placed(CASES[name]) == template_rows(CASES[name])


def test_hostile_values_are_escaped_once():
    html = placed(CASES["hostile"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;amp;" in html
