"""The registry's table rows, written in Python (events.views.registry.table_rows), are the HTML the template wrote.

The rows used to be a {% for %} in templates/events/prisoners.html; that
fragment is kept below, verbatim, as the reference: for awkward and hostile
values (markup, quotes, ampersands, values already marked safe, lazy labels,
missing dates and details, several detentions) both write the same bytes, so
every value is escaped exactly once, as before.
"""

import datetime

import pytest
from django.template import engines
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from events.disclosure import ReleaseRow, ShownCharge, ShownDetention, ShownPerson
from events.models import Event
from events.views.registry import table_rows
from tests.factories import make_charge, make_detention, make_event, make_person, make_release, make_released_detention
from tracker.dates import PreciseDate
from tracker.models import FREED, Detention, Person

FREED_CODES = sorted(FREED)

# templates/events/prisoners.html's rows before they were written in the view, from "{% for" to "{% endfor %}\n".
TEMPLATE_ROWS = """\
  {% for person in rows %}
  <tbody class="registry-person">
    {% for detention in person.detentions %}
    <tr>
      {% if forloop.first %}<th scope="rowgroup"{% if person.detentions|length > 1 %} rowspan="{{ person.detentions|length }}"{% endif %}><a href="{{ person.url }}">{{ person.name }}</a></th>{% endif %}
      <td data-label="Custody status">{{ detention.custody_status }}</td>
      <td data-label="Detained">{% if detention.detained %}<time datetime="{{ detention.detained.iso }}">{{ detention.detained }}</time>{% else %}Not known{% endif %}</td>
      <td data-label="Released">{% if detention.released %}<time datetime="{{ detention.released.iso }}">{{ detention.released }}</time>{% elif detention.release_date_missing %}Date not recorded{% else %}—{% endif %}</td>
      <td data-label="Facility">{{ detention.facility|default:"—" }}</td>
      <td data-label="Articles">{{ detention.articles|default:"—" }}</td>
      <td data-label="Freed in">{% if detention.release %}<a href="{{ detention.release.get_absolute_url }}">{{ detention.release.title }}</a>{% else %}—{% endif %}</td>
    </tr>
    {% endfor %}
  </tbody>
  {% endfor %}
"""

HOSTILE = '<script>alert("x&y")</script> O\'Brien & <b>Sons</b> &amp; &lt;'


def template_rows(rows):
    """The rows as the template wrote them, where prisoners.html now has "  {{ table_rows }}\\n"."""
    return engines["django"].from_string(TEMPLATE_ROWS).render({"rows": rows})


def placed(rows):
    return f"  {table_rows(rows)}\n"


def detention(**kwargs):
    values = {
        "custody_status": "Held",
        "country": "Belarus",
        "custody_status_code": "held",
        "country_code": "BY",
        "detained": PreciseDate(datetime.date(2021, 5, 23), "day"),
        "released": None,
    }
    return ShownDetention(**{**values, **kwargs})


def person(name="Ales Bialiatski", detentions=(), uid="0b5f4c1e-0000-4000-8000-000000000001", **kwargs):
    return ShownPerson(
        uid=uid,
        name=name,
        url=f"/prisoners/{uid}/",
        is_named=True,
        detentions=list(detentions) or [detention()],
        **kwargs,
    )


CASES = {
    "plain": [person()],
    "hostile name": [person(name=HOSTILE)],
    "hostile url": [ShownPerson(uid="x", name="A. B.", url='/prisoners/"><script>&x=1/', is_named=False)],
    "hostile facility": [person(detentions=[detention(facility=HOSTILE)])],
    "hostile articles": [
        person(detentions=[detention(charges=[ShownCharge("<b>342</b>", "BY"), ShownCharge("\"130\" & 'x'", "BY")])])
    ],
    "hostile custody label": [person(detentions=[detention(custody_status=HOSTILE)])],
    "lazy custody label": [person(detentions=[detention(custody_status=gettext_lazy("Held & <deported>"))])],
    "values already safe are not escaped twice": [
        person(name=mark_safe("A &amp; <i>B</i>"), detentions=[detention(facility=mark_safe("<i>Colony</i> &amp;"))])
    ],
    "release with hostile title and address": [
        person(detentions=[detention(release=ReleaseRow("u", '/events/"&<>/', HOSTILE))]),
    ],
    "dates": [
        person(
            detentions=[
                detention(detained=None, released=None),
                detention(
                    detained=PreciseDate(datetime.date(2020, 1, 1), "year"),
                    released=PreciseDate(datetime.date(2024, 7, 1), "month"),
                ),
            ]
        )
    ],
    "empty details": [person(detentions=[detention(facility="", charges=[])])],
    "freed, no date recorded": [
        person(detentions=[detention(custody_status="Pardoned", custody_status_code=code) for code in FREED_CODES])
    ],
    "not freed, no date": [
        person(detentions=[detention(custody_status=code, custody_status_code=code) for code in ("held", "unknown")])
    ],
    "no detention": [ShownPerson(uid="x", name="N. N.", url="/prisoners/x/", is_named=False)],
    "several people and detentions": [
        person(
            name=f"{HOSTILE} {n}", uid=f"uid-{n}", detentions=[detention(facility=f"F{i} & <{n}>") for i in range(n)]
        )
        for n in range(1, 5)
    ],
    "no rows": [],
}


@pytest.mark.parametrize("rows", CASES.values(), ids=CASES.keys())
def test_rows_written_in_the_view_are_the_templates_bytes(rows):
    assert placed(rows) == template_rows(rows)


def test_hostile_values_are_escaped_exactly_once():
    html = table_rows(CASES["hostile name"] + CASES["hostile facility"])
    escaped = "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; O&#x27;Brien &amp; &lt;b&gt;Sons&lt;/b&gt; &amp;amp; &amp;lt;"
    assert html.count(escaped) == 2
    assert "<script>" not in html and "<b>" not in html
    assert f'<td data-label="Facility">{escaped}</td>' in html


@pytest.mark.django_db
def test_registry_page_escapes_hostile_name_facility_article_and_release(client):
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title=f"Release {HOSTILE}")).event
    named = make_detention(
        person=make_person(name=f"Named {HOSTILE}"),
        facility=f"Colony {HOSTILE}",
        custody_status=Detention.CustodyStatus.DEPORTED,
        released_on=datetime.date(2025, 9, 11),
        release_mode=Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
    )
    # An article is at most 30 characters (PostgreSQL holds it to that).
    make_charge(detention=named, article='342 <b>"x&y"</b> &amp;')
    make_released_detention(release=release, detention=named)
    initials = make_detention(
        person=make_person(name="Hanna <i>Mirrorfield</i>", identity_level=Person.IdentityLevel.INITIALS),
        facility=f"Hidden {HOSTILE}",
    )
    make_charge(detention=initials, article="<130>")

    response = client.get("/prisoners/")
    html = response.content.decode()

    escaped = "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; O&#x27;Brien &amp; &lt;b&gt;Sons&lt;/b&gt; &amp;amp; &amp;lt;"
    assert f'<a href="/prisoners/{named.person.uid}/">Named {escaped}</a>' in html
    assert f'<td data-label="Facility">Colony {escaped}</td>' in html
    assert '<td data-label="Articles">342 &lt;b&gt;&quot;x&amp;y&quot;&lt;/b&gt; &amp;amp;</td>' in html
    assert f'<a href="/events/{release.uid}/">Release {escaped}</a>' in html
    # The person shown by initials: the public name only, no facility.
    shown = Person.objects.get(pk=initials.person_id).public_name
    assert "Mirrorfield" not in shown
    assert f'<a href="/prisoners/{initials.person.uid}/">{shown}</a>' in html
    assert "Hidden" not in html
    assert '<td data-label="Articles">&lt;130&gt;</td>' in html
    assert "<script>alert" not in html and "<b>Sons" not in html
    # The same bytes as the template's rows for the rows the view read.
    assert placed(response.context["rows"]) == template_rows(response.context["rows"])


def test_a_person_freed_with_no_date_recorded_says_so_and_one_held_does_not():
    html = table_rows(CASES["freed, no date recorded"] + CASES["not freed, no date"])
    assert html.count('<td data-label="Released">Date not recorded</td>') == len(FREED) == 4
    assert html.count('<td data-label="Released">—</td>') == 2
