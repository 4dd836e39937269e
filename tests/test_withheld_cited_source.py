"""Withholding the one person a cited source documents keeps the public record resting on it (issue #13, hole 7).

On the Belarus seed one news article backs every figure and event, and the
only detention it documents is Siarhei Tsikhanouski's. Under the first fix
for hole 7 a source documenting only protected people was unlisted, and
with it every citation and figure resting on it: withholding him emptied
the home page, /figures/, /sources/, the release ledger's counts and every
event's sources. The public records citing the article explain why it is
there; only a source with no public tie but protected people stays unlisted
(tests/test_hidden_sources.py, tests/test_cited_hidden_sources.py).
"""

import pytest

from events.models import Citation, Event, Figure
from tracker.models import Person, Source

pytestmark = pytest.mark.django_db

ARTICLE = "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release"
ARTICLE_URL = "agentictribune.com/article/20251212-u-s-envoy-meets-belarus-president"


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


@pytest.fixture
def withheld(belarus):
    """The seed, with Siarhei Tsikhanouski's name withheld the way an editor does it."""
    person = Person.objects.get(name="Siarhei Tsikhanouski")
    person.identity_level = "withheld"
    person.save()
    return person


def test_the_article_he_is_documented_in_is_his_only_source_tie(belarus):
    """The shape of the case: one source, and its only documented detention is his."""
    assert Source.objects.count() == 1
    documented = Source.objects.get().detention_sources.values_list("detention__person__name", flat=True)
    assert list(documented) == ["Siarhei Tsikhanouski"]


def test_the_home_page_and_the_figures_keep_their_numbers(client, withheld):
    # The figure whose quote names him is taken down by the withdrawal (tracker/withholding.py);
    # the others rest on the same article and stay.
    shown = Figure.objects.published()
    assert shown.count() == 4
    home, figures, csv = text(client, "/"), text(client, "/figures/"), text(client, "/figures.csv")
    for words in ("about 1,200", "167"):
        assert words in home and words in figures
    for figure in shown:
        assert str(figure.uid) in csv
        assert ARTICLE in text(client, figure.measure.get_absolute_url())
    assert "Tsikhanouski" not in home + figures + csv


def test_the_sources_list_keeps_the_article(client, withheld):
    assert Source.objects.published().count() == 1
    for path in ("/sources/", "/sources.csv", "/api/v1/sources/", "/data/package/sources.csv"):
        assert ARTICLE in text(client, path), path


def test_the_article_counts_no_detention_of_his(client, withheld):
    """Listed for its citations, it still counts only detentions of people named in full: none now."""
    page = text(client, "/sources/")
    assert "<dt>Detentions documented</dt><dd>0</dd>" in page
    assert '"named_detentions":0' in text(client, "/api/v1/sources/").replace(" ", "")


def test_every_event_still_shows_its_source(client, withheld):
    events = Event.objects.published()
    assert events.exists()
    for event in events:
        page = text(client, event.get_absolute_url())
        assert ARTICLE_URL in page, event.title
        assert "Tsikhanouski" not in page
    assert Citation.objects.published().count() == Citation.objects.filter(event__in=events).count()
    timeline = text(client, "/timeline/")
    assert timeline.count("Sources (1)") == events.count()


def test_the_release_ledger_keeps_its_counts(client, withheld):
    ledger = text(client, "/releases/")
    for measure in ("released-in-release", "political-prisoners-among-released"):
        assert f'<a href="/figures/{measure}/">' in ledger, measure
    for value in (52, 40):
        assert f'<strong class="claim-value">{value}</strong>' in ledger, value
