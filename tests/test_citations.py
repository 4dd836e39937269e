"""{% citation source %}: a source as pages cite it, every value escaped once."""

import datetime
from types import SimpleNamespace

from django.template import engines

from events.templatetags.citations import citation


def render(source):
    return engines["django"].from_string("{% load citations %}[{% citation source %}]").render({"source": source})


def test_a_source_with_every_part():
    source = SimpleNamespace(
        url="https://example.org/a?x=1&y=2",
        title="Released: “52 detainees”",
        publisher=SimpleNamespace(public_name="Viasna"),
        published_on=datetime.date(2025, 9, 11),
        archive_url="https://archive.example/a",
    )
    assert render(source) == (
        '[<a href="https://example.org/a?x=1&amp;y=2" rel="noopener noreferrer">Released: “52 detainees”</a>,'
        ' Viasna, 11 September 2025 (<a href="https://archive.example/a" rel="noopener noreferrer">archived copy</a>)]'
    )


def test_hostile_values_are_escaped_once():
    source = SimpleNamespace(
        url='javascript:"><script>x</script>',
        title="<b>&amp;</b>",
        publisher=SimpleNamespace(public_name="<i>P</i>"),
        published_on=None,
        archive_url="",
    )
    out = render(source)
    assert "<script>" not in out and "<b>" not in out and "<i>" not in out
    assert "&amp;amp;" in out  # the title's own &amp; escaped, once
    assert "&quot;&gt;&lt;script&gt;" in out


def test_a_source_without_link_publisher_or_date():
    source = SimpleNamespace(url="", title="A statement", publisher=None, published_on=None, archive_url="")
    assert render(source) == "[A statement]"


def test_nothing_to_cite():
    assert citation(None) == "" and render("") == "[]"
