"""A measure page's table of reports, written in Python (events.views.figures.report_rows), is the HTML the template wrote.

The rows were a {% for %} in templates/events/measure.html; that fragment is
kept below, verbatim, as the reference: for real figures of every kind of
measure, with awkward and hostile values (markup, quotes, ampersands in
quotes, reasons, organisations and event titles; deprecated reports; groups
that disagree; registry counts of 0, 1 and many), both write the same bytes.
"""

import datetime

import pytest
from django.template import engines

from events.models import Figure, Measure
from events.views.figures import report_rows
from tests.factories import make_event, make_figure, make_measure, make_organization, make_source
from tests.read_both_ways import pages_read_both_ways

pytestmark = pytest.mark.django_db

# templates/events/measure.html's reports before they were written in the view, from "{% for" to "{% endfor %}".
TEMPLATE_ROWS = """{% load citations %}\
{% for group in groups %}
<tbody role="rowgroup" class="report-group{% if group.disagree %} disagree-group{% endif %}">
{% for figure in group.figures %}
<tr role="row"{% if figure.rank == 'deprecated' %} class="deprecated"{% endif %}>
{% if forloop.first %}
<th scope="rowgroup" role="rowheader" rowspan="{{ group.figures|length }}" class="as-of">
<time datetime="{{ figure.as_of.iso }}">{{ figure.as_of }}</time>
{% if group.disagree %}<span class="disagree">Sources differ</span>{% endif %}
{% if group.registry_sentence %}<span class="registry-note">{{ group.registry_sentence }}</span>{% endif %}
</th>
{% endif %}
<td role="cell" data-label="Value" class="number">{% if figure.rank == 'deprecated' %}<s>{{ figure.in_words }}</s>{% else %}<strong>{{ figure.in_words }}</strong>{% endif %}</td>
<td role="cell" data-label="Qualifier">{{ figure.get_qualifier_display }}</td>
{% if measure.kind == "flow" %}<td role="cell" data-label="Period counted">{% if figure.period %}{{ figure.period }}{% else %}<span class="none">Not given</span>{% endif %}</td>{% endif %}
{% if measure.kind == "per_event" %}<td role="cell" data-label="Event">{% if figure.event %}<a href="{{ figure.event.get_absolute_url }}">{{ figure.event.title }}</a>{% endif %}</td>{% endif %}
{% if several_countries %}<td role="cell" data-label="Country">{{ figure.country.name }}</td>{% endif %}
<td role="cell" data-label="Source">{% citation figure.source %}</td>
<td role="cell" data-label="Attributed to">{% if figure.attributed_to.public_name %}{{ figure.attributed_to.public_name }}{% else %}<span class="none">The source itself</span>{% endif %}</td>
<td role="cell" data-label="Rank">{{ figure.get_rank_display }}{% if figure.rank == 'deprecated' %}<span class="rank-note">{{ figure.deprecation_reason }}</span>{% endif %}</td>
<td role="cell" data-label="Quote">{% if figure.quote %}<details class="quote-details"><summary>Quote</summary><blockquote class="quote">{{ figure.quote }}</blockquote></details>{% else %}<span class="none">Not quoted</span>{% endif %}</td>
</tr>
{% endfor %}
</tbody>
    {% endfor %}"""

HOSTILE = '<script>alert("x&y")</script> O\'Brien & <b>Sons</b> &amp; &lt;'


def template_rows(groups, kind, several_countries):
    context = {"groups": groups, "measure": Measure(kind=kind), "several_countries": several_countries}
    return engines["django"].from_string(TEMPLATE_ROWS).render(context)


def groups_of(kind, sentence="This database records 1 person held on that date."):
    measure = make_measure(kind=kind)
    event = make_event(title=HOSTILE)
    source = make_source(title=HOSTILE)
    plain = make_figure(measure=measure, event=event if kind == "per_event" else None)
    hostile = make_figure(
        measure=measure,
        value=430,
        qualifier=Figure.Qualifier.MORE_THAN,
        source=source,
        quote=HOSTILE,
        attributed_to=make_organization(name=HOSTILE),
        country="RU",
        period_start_on=datetime.date(2024, 7, 1) if kind == "flow" else None,
        event=event if kind == "per_event" else None,
    )
    deprecated = make_figure(
        measure=measure, rank=Figure.Rank.DEPRECATED, deprecation_reason=HOSTILE, quote="", value=1_150
    )
    return [
        {"figures": [plain, hostile, deprecated], "disagree": True, "registry_sentence": sentence},
        {"figures": [hostile], "disagree": False, "registry_sentence": ""},
        {"figures": [deprecated, plain], "disagree": False, "registry_sentence": "This database records 1234 people."},
        {"figures": [plain], "disagree": False, "registry_sentence": sentence},
    ]


@pytest.mark.parametrize("kind", [Measure.Kind.STOCK, Measure.Kind.FLOW, Measure.Kind.PER_EVENT])
@pytest.mark.parametrize("several_countries", [False, True])
@pytest.mark.parametrize("sentence", ["This database records 1 person held on that date.", HOSTILE])
def test_the_reports_are_the_html_the_template_wrote(kind, several_countries, sentence):
    groups = groups_of(kind, sentence)
    assert report_rows(groups, kind, several_countries) == template_rows(groups, kind, several_countries)


def test_no_reports_write_nothing():
    assert report_rows([], Measure.Kind.STOCK, False) == template_rows([], Measure.Kind.STOCK, False) == ""


def test_hostile_values_are_escaped_once():
    html = report_rows(groups_of(Measure.Kind.PER_EVENT, HOSTILE), Measure.Kind.PER_EVENT, True)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp;amp;" in html


# --- The reports a page prints in full, read as rows (events.rows.full_figures), print what instances printed ---


def as_instances(pks):
    """What full_figures returned, read as Figure instances with their source, publisher, attribution and event."""
    full = {}
    figures = Figure.objects.published().filter(pk__in=pks)
    for figure in figures.select_related("source__publisher", "attributed_to", "event").order_by():
        figure.country_code = figure.country.code
        full[figure.pk] = figure
    return full


@pytest.mark.parametrize("kind", [Measure.Kind.STOCK, Measure.Kind.FLOW, Measure.Kind.PER_EVENT])
def test_a_measure_page_read_as_rows_is_the_page_read_as_instances(kind, client, monkeypatch):
    import events.views.figures as views
    from tracker.publishing import Status

    groups = groups_of(kind)
    measure = groups[0]["figures"][0].measure
    draft_org = make_organization(name="Draft Attribution", status=Status.DRAFT)
    make_figure(measure=measure, value=77, attributed_to=draft_org, as_of_on=datetime.date(2025, 11, 1))
    make_figure(measure=measure, value=66, source=make_source(status=Status.DRAFT))
    make_figure(measure=measure, value=55, status=Status.DRAFT)
    addresses = [
        measure.get_absolute_url(),
        f"{measure.get_absolute_url()}?deprecated=1",
        f"{measure.get_absolute_url()}?country=RU",
    ]
    pages = pages_read_both_ways(client, monkeypatch, addresses, views, "full_figures", as_instances)
    assert "&lt;script&gt;" in pages and "over 430" in pages and "about 77" in pages
    for hidden in ("Draft Attribution", ">66<", ">55<", "<script>"):
        assert hidden not in pages, hidden
