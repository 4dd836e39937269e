"""Hole 5: public text never names a person the public sees only by initials or not at all.

The check (tracker/names.py, PublicText) runs on every save of a record
whose text is public, not only at publishing; against every protected
person, not only those linked to the record; on every public text field
(an event's title and summary, citations' and figures' quotes, source
titles, participants' roles, release destinations); and it sees a possessive,
a name inside a phrase and a name written surname first.
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from events.models import Event
from tests.admin_pages import admin_url, form_data, post_change_form
from tests.factories import (
    make_charge,
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_name_variant,
    make_organization,
    make_participant,
    make_person,
    make_release,
    make_source,
)
from tracker.models import Organization, Source
from tracker.names import (
    NameMatcher,
    by_initial,
    by_surname,
    by_whole_name,
    given_and_initial,
    name_keys_in,
    naming_words,
    same_word,
    surname,
    surname_key,
    text_words,
    word_keys,
)

pytestmark = pytest.mark.django_db

WITHHELD, INITIALS, FULL = "withheld", "initials", "full"
# An unsaved published release: full_clean() checks it as the admin's form does.
EVENT = {"kind": "release", "occurred_on": "2025-09-11", "status": "published"}


def refused_fields(record):
    """The fields full_clean() refuses, as the admin's form and the imports call it."""
    try:
        record.full_clean()
    except ValidationError as error:
        return {field for field, messages in error.message_dict.items() if any("names a person" in m for m in messages)}
    return set()


@pytest.fixture
def mirrorfield(db):
    """A withheld person linked to nothing at all."""
    return make_person(name="Anna Mirrorfield", identity_level=WITHHELD)


def test_editing_a_published_events_summary_to_name_a_withheld_person_is_refused(mirrorfield):
    event = make_event(summary="A release of political prisoners.")
    event.summary = "Anna Mirrorfield was among those released."
    assert refused_fields(event) == {"summary"}


def test_the_admin_refuses_it_with_an_error_under_the_field_and_saves_nothing(mirrorfield, login, editor):
    event = make_event(title="Release in Minsk", summary="A release of political prisoners.")
    make_citation(event=event)
    browser = login(editor)

    response = post_change_form(browser, event, summary="Mirrorfield’s husband was freed too.")

    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert "summary" in errors
    message = " ".join(errors["summary"])
    assert "“Mirrorfield’s”" in message
    # The words are the writer's own; the protected person's stored name is not shown.
    assert "Anna" not in message
    event.refresh_from_db()
    assert event.summary == "A release of political prisoners."


def test_publishing_checks_every_protected_person_not_only_those_linked(mirrorfield):
    event = make_event(status="draft", summary="Talks on the release of Anna Mirrorfield.")
    make_citation(event=event)
    with pytest.raises(ValidationError):
        event.apply_transition("publish")
    event.refresh_from_db()
    assert event.status == "draft"


@pytest.mark.parametrize(
    "text",
    [
        "Mirrorfield's lawyer spoke to the press.",
        "Mirrorfield’s lawyer spoke to the press.",
        "She is the wife of Mirrorfield, who is still held.",
        "MIRRORFIELD, Anna (born 1977).",
        "Mirrorfield Anna was released.",
    ],
)
def test_a_possessive_a_phrase_and_surname_first_all_count(mirrorfield, text):
    assert refused_fields(Event(title="Release", summary=text, **EVENT)) == {"summary"}


@pytest.mark.parametrize(
    "stored, text",
    [
        ("MIRRORFIELD Anna", "Anna Mirrorfield was released."),
        ("Mirrorfield Anna Petrovna", "Anna Mirrorfield was released."),
        ("Мірарфілд Ганна Пятроўна", "Мірарфілда вызвалілі."),
        ("Mirrorfield Anna", "Anna Mirrorfield was released."),
    ],
)
def test_a_name_stored_surname_first_is_seen_in_any_order(stored, text):
    make_person(name=stored, identity_level=INITIALS)
    event = Event(title="Release", summary=text, **EVENT)
    assert refused_fields(event) == {"summary"}


def test_a_name_variant_in_another_script_counts(mirrorfield):
    make_name_variant(person=mirrorfield, name="Ганна Мірарфілд", script="Cyrl")
    event = Event(title="Release", summary="Ганна Мірарфілд на волі.", **EVENT)
    assert refused_fields(event) == {"summary"}


def test_figure_quotes_source_titles_roles_and_destinations_are_checked(mirrorfield):
    figure = make_figure(quote="52 people were freed.")
    figure.quote = "52 people, among them Anna Mirrorfield, were freed."
    assert refused_fields(figure) == {"quote"}

    source = make_source(title="Freed at last")
    source.title = "Anna Mirrorfield freed at last"
    assert refused_fields(source) == {"title"}

    participant = make_participant(event=make_event(), role="US Special Envoy")
    participant.role = "wife of Mirrorfield"
    assert refused_fields(participant) == {"role"}

    release = make_release(event=make_event(kind="release"), destination="Vilnius")
    release.destination = "Vilnius, with Mirrorfield"
    assert refused_fields(release) == {"destination"}

    citation = make_citation(event=make_event(), quote="They were freed.")
    citation.quote = "Mirrorfield was freed."
    assert refused_fields(citation) == {"quote"}


def test_publishing_a_source_whose_title_names_a_protected_person_is_refused(mirrorfield):
    source = make_source(title="Interview with Mirrorfield's mother", status="draft")
    with pytest.raises(ValidationError):
        source.apply_transition("publish")
    assert Source.objects.get(pk=source.pk).status == "draft"


def test_publishing_an_event_checks_its_participants_and_release(mirrorfield):
    event = make_event(kind="release", status="draft", title="Release")
    make_citation(event=event)
    make_participant(event=event, role="daughter of Mirrorfield")
    make_release(event=event, destination="Vilnius")
    problems = event.publishing_problems()
    assert len(problems) == 1 and "Role" in problems[0]


@pytest.mark.parametrize(
    "stored, text",
    [
        ("Anna Mirrorfield", "Mirrorfield's lawyer spoke to the press."),
        ("MIRRORFIELD Anna Petrovna", "Anna Mirrorfield was released."),
    ],
)
def test_publishing_sees_a_possessive_or_a_surname_first_name_of_a_person_it_names(stored, text):
    # Linked to the event, so the check that ran before (at publishing, for linked people) had its chance.
    event = make_event(kind="release", status="draft", title="Release", summary=text)
    make_citation(event=event)
    make_participant(event=event, person=make_person(name=stored, identity_level=WITHHELD), role="released")
    with pytest.raises(ValidationError):
        event.apply_transition("publish")


def test_a_draft_is_not_checked_until_it_is_published(mirrorfield):
    # Drafts are not public: a Contributor writing one learns nothing from a refusal.
    event = Event(title="Release", summary="Anna Mirrorfield was freed.", **{**EVENT, "status": "draft"})
    assert refused_fields(event) == set()


@pytest.mark.parametrize(
    "text",
    [
        "Anna Karenina was read aloud.",  # a first name alone
        "Mirror fields of Minsk.",  # words that only look alike
        "John Coale met the president.",  # a person named in full
    ],
)
def test_text_that_names_no_protected_person_passes(mirrorfield, text):
    make_person(name="John Coale", identity_level=FULL)
    assert refused_fields(Event(title="Meeting", summary=text, **EVENT)) == set()


def test_a_shared_surname_is_explained_by_a_person_the_text_names_in_full(mirrorfield):
    make_person(name="Piotr Mirrorfield", identity_level=FULL)
    assert refused_fields(Event(title="Statement", summary="Piotr Mirrorfield calls for talks.", **EVENT)) == set()
    # Without him named in full, the surname alone still names her.
    assert refused_fields(Event(title="Statement", summary="Mirrorfield calls for talks.", **EVENT)) == {"summary"}
    # And her whole name is never explained by his.
    summary = "Piotr Mirrorfield and Anna Mirrorfield call for talks."
    assert refused_fields(Event(title="Statement", summary=summary, **EVENT)) == {"summary"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Anna Mirrorfield", "Mirrorfield"),
        ("MIRRORFIELD Anna", "MIRRORFIELD"),
        ("Ціханоўскі Сяргей Леанідавіч", "Ціханоўскі"),
        ("Siarhei Tsikhanouski", "Tsikhanouski"),
        ("Viasna", "Viasna"),
    ],
)
def test_the_surname_is_found_in_either_order(name, expected):
    assert surname(name) == expected


def test_the_words_that_name_someone_are_the_writers_own():
    assert naming_words(text_words("Thanks to Mirrorfields' friends."), "Anna Mirrorfield") == "Mirrorfields'"
    assert naming_words(text_words("Nothing here."), "Anna Mirrorfield") == ""


def test_the_admin_change_page_still_saves_text_that_names_nobody(mirrorfield, login, editor):
    event = make_event(title="Release in Minsk", summary="A release.")
    make_citation(event=event)
    browser = login(editor)
    url = admin_url(Event, "change", event.pk)
    response = browser.post(url, form_data(browser.get(url), summary="A release of 52 people."))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.summary == "A release of 52 people."


# --- Every free text the public sees (issue #13 review, finding 2) ----------------------------------------


def test_organisation_names_and_name_variants_are_checked(mirrorfield):
    organisation = make_organization(name="Human rights campaign")
    organisation.name = "Free Mirrorfield Campaign"
    assert refused_fields(organisation) == {"name"}
    organisation.name = "Human rights campaign"
    organisation.name_variants = "Кампанія за Мірарфілд\nMirrorfield Support"
    assert refused_fields(organisation) == {"name_variants"}


def test_publishing_an_organisation_named_after_a_protected_person_is_refused(mirrorfield):
    organisation = make_organization(name="Free Mirrorfield Campaign", status="draft")
    with pytest.raises(ValidationError):
        organisation.apply_transition("publish")
    assert Organization.objects.get(pk=organisation.pk).status == "draft"


def test_a_named_persons_charges_sentence_and_facility_are_checked(mirrorfield):
    detention = make_detention(person=make_person(name="Ivan Openov"))
    charge = make_charge(detention=detention, description="organised a protest")
    charge.description = "organised a protest with Anna Mirrorfield"
    assert refused_fields(charge) == {"description"}
    detention.sentence = "3 years, as Mirrorfield"
    detention.facility = "Colony No. 4, with Mirrorfield"
    assert refused_fields(detention) == {"sentence", "facility"}


def test_publishing_a_detention_checks_its_charges(mirrorfield):
    detention = make_detention(person=make_person(name="Ivan Openov"), status="draft")
    make_charge(detention=detention, description="organised a protest with Anna Mirrorfield")
    with pytest.raises(ValidationError):
        detention.apply_transition("publish")


def test_an_initials_persons_detention_text_is_not_public_so_not_checked(mirrorfield):
    detention = make_detention(person=make_person(name="Ihar Shown", identity_level=INITIALS))
    charge = make_charge(detention=detention, description="organised a protest")
    charge.description = "organised a protest with Anna Mirrorfield"
    assert refused_fields(charge) == set()
    detention.apply_transition("retract")
    detention.apply_transition("reopen")
    detention.apply_transition("publish")  # not refused: the registry shows none of it


def test_a_measure_with_a_published_figure_is_checked(mirrorfield):
    measure = make_measure()
    measure.definition = "People freed with Anna Mirrorfield."
    assert refused_fields(measure) == set()  # no published figure: nobody sees it
    figure = make_figure(measure=measure, status="draft")
    with pytest.raises(ValidationError):
        figure.apply_transition("publish")
    make_figure(measure=measure)
    assert refused_fields(measure) == {"definition"}


def test_an_organisation_and_a_charge_naming_her_leave_the_public_pages_when_she_is_withheld(client):
    anna = make_person(name="Anna Mirrorfield")
    organisation = make_organization(name="Free Mirrorfield Campaign")
    event = make_event(title="Rally in Vilnius")
    make_citation(event=event)
    make_participant(event=event, person=None, organization=organisation, role="organiser")
    named = make_person(name="Ivan Openov")
    make_charge(detention=make_detention(person=named), description="organised protest with Anna Mirrorfield")
    assert "Mirrorfield" in client.get(event.get_absolute_url()).content.decode()
    assert "Mirrorfield" in client.get(named.get_absolute_url()).content.decode()

    anna.identity_level = WITHHELD
    anna.save()

    assert "Mirrorfield" not in client.get(event.get_absolute_url()).content.decode()
    assert "Mirrorfield" not in client.get(named.get_absolute_url()).content.decode()


# --- Joined words and initials (issue #13 review, finding 3) ----------------------------------------------


@pytest.mark.parametrize(
    "text, words",
    [
        ("Supporters rallied under #FreeMirrorfield.", "FreeMirrorfield"),
        ("Trending: #AnnaMirrorfield", "AnnaMirrorfield"),
        ("Tagged free_mirrorfield_now on the posters.", "free_mirrorfield_now"),
        ("Anna M., 34, was freed.", "Anna M."),
        ("Among those freed was Anna M. from Hrodna.", "Anna M."),
    ],
)
def test_a_hashtag_a_joined_word_and_a_first_name_with_the_initial_count(mirrorfield, text, words):
    assert refused_fields(Event(title="Release", summary=text, **EVENT)) == {"summary"}
    assert naming_words(text_words(text), mirrorfield.name) == words


@pytest.mark.parametrize(
    "text",
    [
        "Anna K., 34, was freed.",  # another initial
        "Olga M., 34, was freed.",  # another given name
        "Anna, 34, was freed. M. Petrov spoke.",  # not next to each other
        "Anna m. was freed.",  # not an initial
        "Supporters rallied under #FreeBelarus on YouTube.",  # joined words naming nobody
        "Anna Makarova spoke first; Anna M. thanked the envoy.",  # abbreviates a person named in full
    ],
)
def test_a_given_name_alone_or_with_another_initial_passes(mirrorfield, text):
    make_person(name="Anna Makarova", identity_level=FULL)
    make_person(name="Maxim Petrov", identity_level=FULL)
    assert refused_fields(Event(title="Release", summary=text, **EVENT)) == set()


def test_the_initial_must_be_of_the_same_protected_person():
    # Anna is the given name of one protected person, M the initial of another's surname.
    make_person(name="Anna Kowalska", identity_level=WITHHELD)
    make_person(name="Olga Mirrorfield", identity_level=WITHHELD)
    assert refused_fields(Event(title="Release", summary="Anna M., 34, was freed.", **EVENT)) == set()


def test_withholding_takes_down_text_naming_her_by_hashtag_or_initial(db):
    from tracker.withholding import take_down_text_naming

    anna = make_person(name="Anna Mirrorfield")
    hashtag = make_event(title="Rally", summary="Supporters rallied under #FreeMirrorfield.")
    initial = make_event(title="Release", summary="Anna M., 34, was freed.")
    anna.identity_level = WITHHELD
    anna.save()
    assert set(anna.taken_down) == {hashtag, initial}
    assert take_down_text_naming(anna) == []  # nothing left to take down


def test_a_declined_form_one_letter_longer_than_a_four_letter_key_is_seen():
    # "Pavlovym" (instrumental) keys to pvlvm, Pavlov to pvlv: the people asked for were those with a
    # word starting with pvlvm, and Pavlov was never compared (a published text could name him).
    make_person(name="Ivan Pavlov", identity_level=WITHHELD)
    fields = refused_fields(Event(title="Talks with Pavlovym in Minsk", **EVENT))
    assert "title" in fields


def test_a_short_word_asks_for_that_word_only_not_every_name_starting_with_it():
    from tracker.models import Person
    from tracker.names import _text_candidates

    exact = make_person(name="Th Exact", identity_level=WITHHELD)
    make_person(name="Thomas Longer", identity_level=WITHHELD)
    declined = make_person(name="Mirrorfield Anna", identity_level=WITHHELD)
    # "the" keys to th: only a name word keyed th can be it; "Mirrorfieldova" (mrfldv) asks for the stem mrfl.
    found = set(_text_candidates(Person.objects.all(), {"th", "mrfldv"}).values_list("pk", flat=True))
    assert found == {exact.pk, declined.pk}


def test_a_long_summary_is_checked_in_one_query_on_every_database():
    make_person(name="Anna Mirrorfield", identity_level=WITHHELD)
    words = " ".join(f"w{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}{chr(97 + n // 676)}x" for n in range(600))
    fields = refused_fields(Event(title="A summary", summary=f"{words} Mirrorfield's sentence", **EVENT))
    assert "summary" in fields


# --- The matcher's shortcut: a set lookup before scanning the text ---------------------------------

KEY_LETTERS = st.text(alphabet="pvlmnkrt", min_size=1, max_size=7)
NAME_WORDS = st.sampled_from(
    ["Pavlov", "Pavlovym", "Pavlova", "Anna", "Ivan", "M.", "Mirrorfield", "Mirrorfielda", "of"]
)


@settings(max_examples=300, deadline=None)
@given(text_keys=st.lists(KEY_LETTERS, max_size=6), name_key=KEY_LETTERS)
def test_name_keys_in_is_exactly_the_keys_same_word_accepts(text_keys, name_key):
    words = [(key, key) for key in text_keys]
    assert (name_key in name_keys_in(words)) == any(same_word(key, name_key) for key in text_keys)


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(NAME_WORDS, max_size=8).map(" ".join),
    protected=st.lists(st.lists(NAME_WORDS, min_size=1, max_size=3).map(" ".join), max_size=3),
    named=st.lists(st.lists(NAME_WORDS, min_size=2, max_size=3).map(" ".join), max_size=2),
)
def test_the_matcher_finds_what_scanning_every_name_finds(text, protected, named):
    """NameMatcher.naming() skips names by set lookups; it must name exactly when the full scan does."""
    words = text_words(text)
    matcher = NameMatcher(protected, named)
    assert matcher.naming(words) == _naming_without_shortcut(matcher, words)


def _naming_without_shortcut(matcher, words):
    """NameMatcher.naming() as it was before the set lookups: every rule tried on every name."""
    named_here = [name for name in matcher.named if by_whole_name(words, name)]
    explained = {surname_key(name) for name in named_here} | {frozenset(word_keys(name)) for name in named_here}
    abbreviated = [given_and_initial(name) for name in named_here]
    for name in matcher.protected:
        naming = "" if surname_key(name) in explained else by_surname(words, name)
        if not naming and frozenset(word_keys(name)) not in explained:
            naming = by_whole_name(words, name)
        if not naming:
            given, initial = given_and_initial(name)
            if not any(initial == other and given & others for others, other in abbreviated):
                naming = by_initial(words, name)
        if naming:
            return naming
    return ""
