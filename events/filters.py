"""The public lists' filters. Each FilterSet feeds a page, and later its CSV and JSON."""

import functools
import uuid

import django_filters
from django import forms
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast
from django_countries import countries

from events.models import Event, Participant
from events.widgets import FastSelect
from tracker.caching import choices_of
from tracker.models import Organization, Person

ORDERS = [("newest", "Newest first"), ("oldest", "Oldest first")]


class CountryCodeField(django_filters.fields.ChoiceField):
    """A country code in any case: ?country=by means Belarus, as ?country=BY does."""

    def to_python(self, value):
        return super().to_python(value).upper()


class CountryFilter(django_filters.ChoiceFilter):
    """One of the countries the filtered records concern; the view sets the choices."""

    field_class = CountryCodeField


class EventFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("“From” is after “To”: swap the dates.")
        return cleaned


def timeline_choices():
    """The countries, people and organisations of published events, in one query (a UNION)."""
    text = CharField()
    used = (
        Event.objects.published()
        .order_by()
        .values_list(Value("country", output_field=text), Cast("countries", text), Value("", output_field=text))
    )
    # Only people who may be named: a withheld person cannot be picked, so
    # the filter cannot reveal which events they took part in.
    people = (
        Person.objects.published()
        .filter(identity_level=Person.IdentityLevel.FULL)
        .filter(Exists(Participant.objects.filter(person=OuterRef("pk"), event__status="published")))
        .order_by()
        .values_list(Value("person", output_field=text), Cast("uid", text), "name")
    )
    organizations = (
        Organization.objects.published()
        .filter(Exists(Participant.objects.filter(organization=OuterRef("pk"), event__status="published")))
        .order_by()
        .values_list(Value("organization", output_field=text), Cast("uid", text), "name")
    )
    codes, found = set(), {"person": [], "organization": []}
    for kind, key, name in used.union(people, organizations).order_by():
        if kind == "country":
            codes.update(code for code in key.split(",") if code)
        else:
            found[kind].append((str(uuid.UUID(key)), name))
    return {
        "country": sorted(((code, countries.name(code)) for code in codes), key=lambda item: item[1]),
        "person": sorted(found["person"], key=lambda item: (item[1], item[0])),
        "organization": sorted(found["organization"], key=lambda item: (item[1], item[0])),
    }


class EventFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Words", method="filter_text", max_length=200)
    kind = django_filters.ChoiceFilter(label="Kind", choices=Event.Kind.choices, empty_label="Any kind")
    country = CountryFilter(label="Country", method="filter_country", empty_label="Any country")
    start = django_filters.DateFilter(
        label="From", field_name="occurred_on", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = django_filters.DateFilter(
        label="To", field_name="occurred_on", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    person = django_filters.ChoiceFilter(
        label="Person taking part", method="filter_person", empty_label="Anyone", widget=FastSelect
    )
    organization = django_filters.ChoiceFilter(
        label="Organisation taking part",
        method="filter_organization",
        empty_label="Any organisation",
        widget=FastSelect,
    )
    order = django_filters.ChoiceFilter(label="Order", choices=ORDERS, method="filter_order", empty_label=None)

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
