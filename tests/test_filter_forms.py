"""The filters' form, written in Python ({% filter_form %}), is the HTML its template wrote.

The form was templates/includes/filter_form.html, included by every list
page; it is kept below, verbatim, as the reference: for valid and refused
filters, values that are markup, quotes and ampersands, the link to values
not listed, and every page's FilterSet, the tag writes the same bytes.
"""

import re

import pytest
from django.http import QueryDict
from django.template import engines
from django.test import RequestFactory

from events.filters import EventFilter, FigureFilter, PrisonerFilter, ReleaseFilter, SourceFilter
from events.models import Figure
from events.templatetags.filter_forms import filter_form

pytestmark = pytest.mark.django_db

# templates/includes/filter_form.html before it was written in Python.
TEMPLATE = """\
{# Expects `filter` (a FilterSet). A GET form: every filtered view has its own address. #}
{# A field with a `more` link (events/filters.py More) lists only some values; the link leads to the others. #}
<form method="get" class="filters" role="search">
  {% if filter.form.non_field_errors %}<div class="form-errors" role="alert">{{ filter.form.non_field_errors }}</div>{% endif %}
  {% for field in filter.form %}
  <div class="filter{% if field.errors %} has-error{% endif %}">
    <label for="{{ field.id_for_label }}">{{ field.label }}</label>
    {{ field }}
    {% if field.field.more %}<p class="filter-more"><a href="{{ field.field.more.url }}">{{ field.field.more.label }}</a></p>{% endif %}
    {% for error in field.errors %}<p class="field-error" role="alert">{{ error }}</p>{% endfor %}
  </div>
  {% endfor %}
  <div class="filter-actions">
    <button type="submit">Apply</button>
    <a href="{{ request.path }}">Clear</a>
  </div>
</form>
"""

HOSTILE = "<script>alert(\"x\")</script> & 'quoted'"


def unboxed(written):
    """The form inside the tag's folding box (issue #15 point 15): what the template wrote."""
    match = re.fullmatch(
        r'\n<details class="filter-box"(?: open)?><summary>Filters</summary>(.*)</details>\n', written, re.S
    )
    assert match, written[:200]
    return match.group(1)


def both(filterset, path="/prisoners/"):
    request = RequestFactory().get(path)
    reference = engines["django"].from_string(TEMPLATE).render({"filter": filterset}, request)
    written = unboxed(filter_form({"request": request}, filterset))
    return reference, written


@pytest.mark.parametrize(
    ("make", "query"),
    [
        (PrisonerFilter, ""),
        (PrisonerFilter, "q=Losik&status=held&order=newest"),
        (PrisonerFilter, f"q={HOSTILE}"),
        (PrisonerFilter, "detained_year=abc&status=nonsense&release=not-a-release"),
        (PrisonerFilter, "region=Nowhere&facility=%3Cb%3E"),
        (EventFilter, ""),
        (EventFilter, "kind=visit&country=RU&order=oldest&start=2024-01-01&end=2025-12-31"),
        (EventFilter, "start=2025-02-30&end=yesterday&kind=<b>"),
        (ReleaseFilter, "country=BY&year=2025&deprecated=1"),
        (ReleaseFilter, "year=1700&country=ZZ"),
        (SourceFilter, "kind=news"),
        (SourceFilter, f"publisher={HOSTILE}"),
    ],
)
def test_the_tag_writes_what_the_template_wrote(belarus, make, query):
    filterset = make(QueryDict(query))
    filterset.is_valid()
    reference, written = both(filterset)
    assert written == reference
    if query and make is PrisonerFilter and "abc" in query:
        assert "field-error" in written  # refused values say so beside their field
    assert "<script>" not in written


def test_figures_and_a_path_that_needs_escaping(belarus):
    filterset = FigureFilter(QueryDict("country=by&deprecated=1"), queryset=Figure.objects.published())
    filterset.is_valid()
    reference, written = both(filterset, path='/figures/a"b<c>/')
    assert written == reference
    assert 'href="/figures/a&quot;b&lt;c&gt;/"' in written


def test_the_release_filter_links_to_releases_it_does_not_list(belarus):
    filterset = PrisonerFilter(QueryDict(""))
    reference, written = both(filterset)
    assert written == reference
    assert 'class="filter-more"' in written


def test_an_error_of_the_whole_form(belarus):
    filterset = EventFilter(QueryDict("kind=visit"))
    filterset.is_valid()
    filterset.form.add_error(None, "Too <b>many</b> filters & more")
    reference, written = both(filterset)
    assert written == reference
    assert 'class="form-errors"' in written
    assert "Too &lt;b&gt;many&lt;/b&gt; filters &amp; more" in written


def test_a_context_without_a_request(belarus):
    filterset = EventFilter(QueryDict("kind=visit"))
    reference = engines["django"].from_string(TEMPLATE).render({"filter": filterset})
    assert unboxed(filter_form({}, filterset)) == reference
    assert '<a href="">Clear</a>' in reference


@pytest.mark.parametrize(
    ("query", "opened"),
    [
        ("", False),  # the list as it comes: the filters folded away on a phone
        ("order=", False),
        ("status=held", True),
        ("order=oldest", True),  # an order asked for is in use too
        ("detained_year=abc", True),  # a value to correct is shown
    ],
)
def test_the_box_is_open_when_a_filter_is_in_use_or_refused(belarus, query, opened):
    filterset = PrisonerFilter(QueryDict(query) if query else None)
    written = filter_form({}, filterset)
    assert written.startswith('\n<details class="filter-box" open>' if opened else '\n<details class="filter-box">')
