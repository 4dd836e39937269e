"""The public lists' filters: each FilterSet feeds a page, its CSV and its JSON.

A filter a reader can set is validated by the FilterSet's form; a value that
makes no sense is a 400 that says why, never a list that ignores it
(`refused`, `filtered_or_400`, `bad_filters`).
"""

import datetime
import functools
import itertools
import uuid
from typing import NamedTuple

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.http import HttpResponse
from django.urls import reverse_lazy

from events.models import Event, Figure, Measure, Participant, ReleasedDetention
from events.registry import RECENT_RELEASES, distinct_values, registry_choices
from events.widgets import FastDateInput, FastNumberInput, FastSelect, FastTextInput
from tracker.caching import cached, choices_of, query_key
from tracker.countries import used_countries
from tracker.models import Charge, Detention, Organization, Person, Source, listed_person, named_person
from tracker.publishing import Status

ORDERS = [("newest", "Newest first"), ("oldest", "Oldest first")]


class CountryCodeField(django_filters.fields.ChoiceField):
    """A country code in any case: ?country=by means Belarus, as ?country=BY does."""

    def to_python(self, value):
        return super().to_python(value).upper()

    def bound_data(self, data, initial):
        # The form shows the country the page is filtered by: ?country=by selects Belarus in the list.
        data = super().bound_data(data, initial)
        return data.upper() if isinstance(data, str) else data


class ChoiceFilter(django_filters.ChoiceFilter):
    """A choice of a public filter, its <select> written in Python (events.widgets.FastSelect).

    Django's Select renders each <option> through a template: the timeline's
    kind, country and order lists took 2 of the filter form's 4.7 ms.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)


class CountryFilter(ChoiceFilter):
    """One of the countries the filtered records concern; the view sets the choices."""

    field_class = CountryCodeField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("“From” is after “To”: swap the dates.")
        return cleaned


def event_countries():
    """The countries published events concern, as the country filters list them: a few steps along an index.

    distinct_values() steps from one stored list of countries to the next along
    events_event_countries, so the work grows with the distinct lists (a
    handful), not with the events (20,000 at 200,000 people).
    """
    return used_countries(distinct_values(countries=(Event.objects.published(), "countries"))["countries"])


def country_lists():
    """{"events": the countries published events concern, "covered": the countries the tracker covers}: one statement.

    A country is covered when it has a published number of its own (a figure not of one event: the home page's
    headlines) or a published detention in the registry. The country switcher and the country feeds list these,
    not every country an event concerns: a country that only took part (a government lifting sanctions) or
    received people (deported there) has no numbers or registry of its own to show. The events' and the
    detentions' lists are walks along an index (distinct_values); the figures not of an event, a few thousand, are
    read in one pass.
    """
    found = distinct_values(
        small={"reports": (Figure.objects.published().filter(event__isnull=True).current(), "country")},
        events=(Event.objects.published(), "countries"),
        detentions=(Detention.objects.published(), "country"),
    )
    return {
        "events": used_countries(found["events"]),
        "covered": used_countries([*found["detentions"], *found["reports"]]),
    }


def covered_countries():
    """country_lists()'s covered countries, read once per change of the data."""
    return cached("country-lists", country_lists)["covered"]


def _taking_part(**who):
    """One published event this person or organisation takes part in, found by key: a subquery with LIMIT 1.

    Not an EXISTS, which the databases turn into a join over every published
    event (10-40 ms at 20,000 events); per participant this stops at the first.
    """
    return Subquery(Participant.objects.filter(event__status=Status.PUBLISHED, **who).order_by().values("pk")[:1])


def timeline_choices():
    """The countries, people and organisations of published events: two queries, each a walk along indexes."""
    text = CharField()
    # Only people who may be named: a withheld person cannot be picked, so
    # the filter cannot reveal which events they took part in.
    # Driven from the participants' distinct keys (a few hundred) rather than
    # a test per person: SQLite tested each of the registry's people (0.8 s at
    # 200,000), and PostgreSQL walked every person's key without DISTINCT.
    people = (
        Person.objects.named()
        .filter(pk__in=Participant.objects.filter(person__isnull=False).values("person_id").distinct())
        .alias(taking_part=_taking_part(person=OuterRef("pk")))
        .filter(taking_part__isnull=False)
        .order_by()
        .values_list(Value("person", output_field=text), Cast("uid", text), "name")
    )
    organizations = (
        Organization.objects.published()
        .filter(pk__in=Participant.objects.filter(organization__isnull=False).values("organization_id").distinct())
        .alias(taking_part=_taking_part(organization=OuterRef("pk")))
        .filter(taking_part__isnull=False)
        .order_by()
        .values_list(Value("organization", output_field=text), Cast("uid", text), "name")
    )
    found = {"person": [], "organization": []}
    for kind, key, name in people.union(organizations, all=True).order_by():
        found[kind].append((str(uuid.UUID(key)), name))
    return {
        "country": event_countries(),
        "person": sorted(found["person"], key=lambda item: (item[1], item[0])),
        "organization": sorted(found["organization"], key=lambda item: (item[1], item[0])),
    }


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words", method="filter_text", max_length=200, widget=FastTextInput)
    kind = ChoiceFilter(label="Kind", choices=Event.Kind.choices, empty_label="Any kind")
    country = CountryFilter(label="Country", method="filter_country", empty_label="Any country")
    start = django_filters.DateFilter(
        label="From", field_name="occurred_on", lookup_expr="gte", widget=FastDateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        label="To", field_name="occurred_on", lookup_expr="lte", widget=FastDateInput(attrs={"type": "date"})
    )
    person = ChoiceFilter(label="Person taking part", method="filter_person", empty_label="Anyone")
    organization = ChoiceFilter(
        label="Organisation taking part",
        method="filter_organization",
        empty_label="Any organisation",
    )
    order = ChoiceFilter(label="Order", choices=ORDERS, method="filter_order", empty_label=None)

    class Meta:
        model = Event
        form = EventFilterForm
        fields = ["q", "kind", "country", "start", "end", "person", "organization", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are read here, in the view, not lazily while the template
        # renders; once per change of the data (tracker/caching.py).
        for name in ("country", "person", "organization"):
            self.filters[name].extra["choices"] = functools.partial(
                choices_of, "timeline-choices", timeline_choices, name
            )

    def filter_text(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(location__icontains=word)
            )
        return queryset

    def filter_country(self, queryset, name, value):
        return queryset.in_country(value)

    def filter_person(self, queryset, name, value):
        return queryset.filter(Exists(Participant.objects.filter(event=OuterRef("pk"), person__uid=value)))

    def filter_organization(self, queryset, name, value):
        return queryset.filter(Exists(Participant.objects.filter(event=OuterRef("pk"), organization__uid=value)))

    def filter_order(self, queryset, name, value):
        return queryset.in_date_order() if value == "oldest" else queryset.newest_first()


# --- Figures and releases -----------------------------------------------------


class FlagInput(forms.CheckboxInput):
    """A checkbox that submits 1, so the form writes ?deprecated=1 as links do."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value in (True, "1", "on"))

    def format_value(self, value):
        return "1"

    def value_from_datadict(self, data, files, name):
        # The raw string, for the field to judge: CheckboxInput would read "0" as checked.
        return data.get(name)


class FlagField(forms.Field):
    widget = FlagInput

    def to_python(self, value):
        if value in (None, "", "0"):
            return False
        if value in ("1", "on"):
            return True
        raise ValidationError("Write 1 to include deprecated figures, or leave it out.", code="invalid")


class ShowDeprecatedFilter(django_filters.Filter):
    """Deprecated figures are hidden unless asked for; then they are shown, and marked."""

    field_class = FlagField

    def filter(self, queryset, value):
        return queryset if value else queryset.current()


class ReleaseFilter(django_filters.FilterSet):
    country = CountryFilter(label="Country", method="filter_country", empty_label="Any country")
    year = ChoiceFilter(label="Year", field_name="occurred_on", lookup_expr="year", empty_label="Any year")
    deprecated = ShowDeprecatedFilter(label="Include deprecated figures", method="keep_every_release")

    class Meta:
        model = Event
        fields = ["country", "year", "deprecated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query gives both lists: the countries and years that have a published release.
        used = cached(
            "release-choices",
            lambda: set(self.queryset.order_by().values_list("countries", "occurred_on__year").distinct()),
            query_key(self.queryset),
        )
        self.filters["country"].extra["choices"] = used_countries(value for value, _ in used)
        years = sorted({year for _, year in used}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in years]

    def filter_country(self, queryset, name, value):
        return queryset.in_country(value)

    def keep_every_release(self, queryset, name, value):
        # The flag chooses which figures are shown in each row, not which rows: the view reads it.
        return queryset


class CountryFigureFilter(django_filters.FilterSet):
    country = CountryFilter(label="Country", empty_label="Every country")

    class Meta:
        model = Figure
        fields = ["country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What the figures before any filter are, for the values read of them (here and by the pages).
        self.queryset_key = query_key(self.queryset)
        codes = cached(
            "figure-countries",
            lambda: list(self.queryset.order_by().values_list("country", flat=True).distinct()),
            self.queryset_key,
        )
        self.filters["country"].extra["choices"] = used_countries(codes)


class FigureFilter(CountryFigureFilter):
    deprecated = ShowDeprecatedFilter(label="Include deprecated figures")

    class Meta:
        model = Figure
        fields = ["country", "deprecated"]


class ApiFigureFilter(FigureFilter):
    """The figures page's filters, and the measure that a measure page shows."""

    measure = ChoiceFilter(label="Measure (its slug)", field_name="measure__slug", empty_label="Any measure")

    class Meta:
        model = Figure
        fields = ["measure", "country", "deprecated"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        slugs = cached(
            "measure-slugs", lambda: list(Measure.objects.published().order_by("slug").values_list("slug", flat=True))
        )
        self.filters["measure"].extra["choices"] = [(slug, slug) for slug in slugs]


class MeasureFilter(django_filters.FilterSet):
    """The API's list of measures takes no filter: every measure with a published figure."""

    class Meta:
        model = Measure
        fields = []


# --- Sources ------------------------------------------------------------------


def publisher_choices():
    """Publishers of published sources, themselves published: one query."""
    return [
        (str(uid), name)
        for uid, name in Organization.objects.published()
        .filter(Exists(Source.objects.published().filter(publisher=OuterRef("pk"))))
        .order_by("name")
        .values_list("uid", "name")
    ]


class SourceFilter(django_filters.FilterSet):
    kind = ChoiceFilter(label="Kind", choices=Source.Kind.choices, empty_label="Any kind")
    publisher = ChoiceFilter(label="Publisher", method="filter_publisher", empty_label="Any publisher")

    class Meta:
        model = Source
        fields = ["kind", "publisher"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Source.objects.published()
        super().__init__(data, queryset, **kwargs)
        self.filters["publisher"].extra["choices"] = cached("publisher-choices", publisher_choices)

    def filter_publisher(self, queryset, name, value):
        return queryset.filter(publisher__uid=value, publisher__status=Status.PUBLISHED)


# --- The prisoner registry -------------------------------------------------------

REGISTRY_ORDERS = [
    ("name", "Name, A to Z"),
    ("newest", "Detained, newest first"),
    ("oldest", "Detained, oldest first"),
]

FIRST_YEAR, LAST_YEAR = 1900, 2100


class YearFilter(django_filters.NumberFilter):
    # A whole year: "2021" passes, "abc", "2021.5" and "99999" are refused.
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastNumberInput)
        super().__init__(*args, **kwargs)


class More(NamedTuple):
    """A link shown under a filter, to where its other values can be picked."""

    label: str
    url: str


def release_label(release):
    return f"{release.title} ({release.occurred})"


def newest_releases(choices):
    """The first RECENT_RELEASES of a list of release choices, newest first (the whole list, or a callable giving it)."""
    return list(itertools.islice(choices() if callable(choices) else choices, RECENT_RELEASES))


class ReleaseField(django_filters.fields.ChoiceField):
    """Any published release's uid, although the list offers only the newest.

    The list is the newest RECENT_RELEASES; an older published release is
    checked in the database (one query, by uid) and added to the list, so
    the form shows it chosen. Anything else (a draft, an event that is not
    a release, a mistyped uid) is refused with the reason.
    """

    default_error_messages = {
        "invalid_choice": "No published release has this identifier: pick one from the list, or from every release.",
    }
    more = More("An older release? Every release links to its people", reverse_lazy("events:releases"))

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(choices=functools.partial(newest_releases, choices), **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return str(uuid.UUID(value)) if value else value
        except ValueError:
            return value  # refused by valid_value, with the message above

    def prepare_value(self, value):
        # The form shows the value as the list writes it: ?release=<UUID in capitals> selects its option.
        return self.to_python(value)

    def valid_value(self, value):
        if super().valid_value(value):
            return True
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        release = (
            Event.objects.published()
            .filter(kind=Event.Kind.RELEASE, uid=value)
            .only("uid", "title", "occurred_on", "occurred_on_precision")
            .first()
        )
        if release is None:
            return False
        # Listed after the newest, so the form shows it chosen; the empty choice is added back by the field.
        self.choices = [*(choice for choice in self.choices if choice[0] != ""), (value, release_label(release))]
        return True


class RecentReleaseFilter(ChoiceFilter):
    """The release filter: its form lists the newest releases and accepts any published one (ReleaseField)."""

    field_class = ReleaseField


class PrisonerFilter(django_filters.FilterSet):
    """Published detentions of the people the registry lists, one filter per question a reader asks.

    DOMAIN rule 2: a filter may only match a person on a detail the public
    pages show for them (events/disclosure.py). A withheld person shows
    nothing but a custody status, so no filter returns them as a row: they
    are counted apart (events/registry.py:withheld_count). A person shown by
    initials shows their custody status, the years of their detentions, the
    articles they were charged under and the release that freed them, so
    only those filters can match them; their name, region and facility are
    never searched. The order, the counts and the rows are events/registry.py's.
    """

    q = django_filters.CharFilter(
        label="Name, in any spelling", method="filter_name", max_length=200, widget=FastTextInput
    )
    status = ChoiceFilter(
        label="Custody status",
        field_name="custody_status",
        choices=Detention.CustodyStatus.choices,
        empty_label="Any status",
    )
    region = ChoiceFilter(label="Home region", method="filter_region", empty_label="Any region")
    facility = ChoiceFilter(label="Facility", method="filter_facility", empty_label="Any facility")
    article = ChoiceFilter(label="Article charged under", method="filter_article", empty_label="Any article")
    detained_year = YearFilter(
        label="Year detained", method="filter_detained_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    released_year = YearFilter(
        label="Year released", method="filter_released_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    release = RecentReleaseFilter(label="Freed in the release", method="filter_release", empty_label="Any release")
    order = ChoiceFilter(label="Order", choices=REGISTRY_ORDERS, method="filter_order", empty_label=None)

    class Meta:
        model = Detention
        fields = ["q", "status", "region", "facility", "article", "detained_year", "released_year", "release", "order"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Detention.objects.published()
        # Kept before any filter runs: withheld people are only ever counted (registry.registry_totals).
        self.base = queryset
        self.release_keys = {}  # release uid -> its key (filter_release)
        self.article_leads = False  # filter_article's shape (events.registry.leading_conditions)
        super().__init__(data, queryset.filter(listed_person("person__")), **kwargs)
        # The choices are the values shown on the public pages, so a value
        # only a withheld (or initials) person has is not a choice: asking for
        # it is refused exactly as a value nobody has. Read once per change of
        # the data (tracker/caching.py), and only when a form is shown or a
        # value has to be checked: a download without filters needs none.
        for name in ("region", "facility", "article", "release"):
            self.filters[name].extra["choices"] = functools.partial(
                choices_of, "registry-choices", registry_choices, name
            )

    @functools.cached_property
    def of_every_published(self):
        """Whether the list is drawn from every published detention (its base is no narrower): the lists whose
        counts and orders the database keeps (events/registry.py). Asked several times a page: compared once."""
        return query_key(self.base) == query_key(Detention.objects.published())

    @property
    def active_filters(self):
        """The names of the filters in use; the order is not a filter."""
        if not self.is_bound or not self.is_valid():
            return set()
        return {name for name, value in self.form.cleaned_data.items() if value not in (None, "") and name != "order"}

    def filter_name(self, queryset, name, value):
        # Only full names are searched: a hit on the stored name of someone
        # shown by initials would tell the reader who the initials stand for.
        return queryset.filter(person__in=Person.objects.named().matching(value))

    def filter_region(self, queryset, name, value):
        return queryset.filter(named_person("person__"), person__region=value)

    def filter_facility(self, queryset, name, value):
        return queryset.filter(named_person("person__"), facility=value)

    def filter_article(self, queryset, name, value):
        # The detentions filtered are published ones already (the charge is
        # public with its detention). Each detention is checked by key (the
        # index tracker_charge_article_key): a page's 25 people, or the people
        # events.registry walks in order, ask only about their own detentions.
        # When the registry starts from the article's detentions instead
        # (events.registry.leading_conditions sets `article_leads`), their keys
        # come from that index as a list the database reads first, unless a
        # name search or a release (a few people or detentions) leads.
        data = self.form.cleaned_data
        if self.article_leads and not data.get("q") and not data.get("release"):
            return queryset.filter(pk__in=Charge.objects.filter(article=value).values("detention_id"))
        return queryset.filter(Exists(Charge.objects.filter(detention=OuterRef("pk"), article=value)))

    def filter_detained_year(self, queryset, name, value):
        # A range rather than __year, so the database can use an index on the date.
        return queryset.filter(
            detained_on__gte=datetime.date(value, 1, 1), detained_on__lt=datetime.date(value + 1, 1, 1)
        )

    def filter_released_year(self, queryset, name, value):
        return queryset.filter(
            released_on__gte=datetime.date(value, 1, 1), released_on__lt=datetime.date(value + 1, 1, 1)
        )

    def filter_release(self, queryset, name, value):
        # The release's own key, looked up first: with it the database knows
        # the release names a few people and starts from them. Once per
        # filterset: registry.own_conditions() applies the filters again.
        if value not in self.release_keys:
            releases = Event.objects.published().filter(kind=Event.Kind.RELEASE, uid=value)
            self.release_keys[value] = releases.values_list("pk", flat=True).first()
        release = self.release_keys[value]
        return queryset.filter(pk__in=ReleasedDetention.objects.filter(release_id=release).values("detention_id"))

    def filter_order(self, queryset, name, value):
        # events/registry.py sorts people by what the public sees of them
        # (in_public_order); the database never orders by a hidden value.
        return queryset


# --- Applying a FilterSet -----------------------------------------------------


def refused(filterset):
    """Whether the filters make no sense (a 400). An unbound FilterSet (a page without parameters) filters nothing."""
    return filterset.is_bound and not filterset.is_valid()


def filtered_or_400(filterset):
    """The filtered queryset and the response status: 400, and no rows, for filters that make no sense."""
    if refused(filterset):
        return filterset.queryset.none(), 400
    return filterset.qs, 200


def bad_filters(filterset):
    """A download's 400: the form's errors as plain text, for a download never ignores what was asked."""
    lines = [f"{name}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]
    return HttpResponse(
        "These filters cannot be applied.\n" + "\n".join(lines) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )
