"""Light records of people and detentions, read as plain values for whole-registry downloads.

A model instance costs tens of microseconds to build and a URL to resolve;
at hundreds of thousands of rows that is most of a download's time. These
records carry only what `shown_person` and `shown_detention`
(events/views/registry.py) read, with the same attribute names, so the
rules of what the public may see stay in one place and are applied to
these exactly as to model instances. Names still go through
tracker.names.public_name.
"""

import uuid

from django.db.models import F
from django.urls import reverse
from django_countries.fields import Country

from events.models import ReleasedDetention
from tracker.dates import PreciseDate
from tracker.models import Charge, Detention
from tracker.names import public_name
from tracker.publishing import Status

PLACEHOLDER = uuid.UUID(int=0)
# The order of a person's detentions, as with_registry_details() gives them.
DETENTION_ORDER = (F("detained_on").desc(nulls_last=True), "pk")


class Related(list):
    """A prefetched relation: what `.all()` gives."""

    def all(self):
        return self


def url_maker(name):
    """A function uid -> the path of the named URL, resolved once rather than per row."""
    prefix, _, suffix = reverse(name, args=[PLACEHOLDER]).partition(str(PLACEHOLDER))
    return lambda uid: f"{prefix}{uid}{suffix}"


class PersonRow:
    FIELDS = ("pk", "uid", "name", "identity_level", "status", "birth_year", "region", "occupation", "description")
    __slots__ = (*FIELDS, "matching_detentions", "url")

    def __init__(self, values, url):
        for field, value in zip(self.FIELDS, values):
            setattr(self, field, value)
        self.url = url
        self.matching_detentions = []

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def public_name(self):
        return public_name(self)

    def get_absolute_url(self):
        return self.url


class Organization:
    __slots__ = ("name", "is_published")

    def __init__(self, name, status):
        self.name = name
        self.is_published = status == Status.PUBLISHED


class Release:
    __slots__ = ("uid", "url")

    def __init__(self, uid, url):
        self.uid, self.url = uid, url

    def get_absolute_url(self):
        return self.url


class ReleasedRow:
    __slots__ = ("release",)

    def __init__(self, release):
        self.release = release


class ChargeRow:
    __slots__ = ("article", "code", "description")

    def __init__(self, article, code, description):
        self.article, self.code, self.description = article, code, description


class CountryRow:
    """A country as the detention's CountryField gives it: its code and name, looked up once per code."""

    __slots__ = ("code", "name")

    def __init__(self, code):
        self.code, self.name = code, str(Country(code=code).name)


class Labels:
    """The display labels of a detention's choices, as plain strings, made once per chunk."""

    def __init__(self):
        self.custody = {value: str(label) for value, label in Detention.CustodyStatus.choices}
        self.release_mode = {value: str(label) for value, label in Detention.ReleaseMode.choices}


class DetentionRow:
    FIELDS = (
        "pk",
        "person_id",
        "custody_status",
        "country",
        "detained_on",
        "detained_on_precision",
        "released_on",
        "released_on_precision",
        "release_mode",
        "facility",
        "sentence",
        "recognised_on",
        "recognised_by__name",
        "recognised_by__status",
    )
    __slots__ = (
        "pk",
        "person_id",
        "custody_status",
        "country",
        "detained_on",
        "detained_on_precision",
        "released_on",
        "released_on_precision",
        "release_mode",
        "facility",
        "sentence",
        "recognised_on",
        "recognised_by",
        "charges",
        "released_detentions",
        "labels",
    )

    def __init__(self, values, countries, labels):
        (
            self.pk,
            self.person_id,
            self.custody_status,
            country,
            self.detained_on,
            self.detained_on_precision,
            self.released_on,
            self.released_on_precision,
            self.release_mode,
            self.facility,
            self.sentence,
            self.recognised_on,
            recogniser,
            recogniser_status,
        ) = values
        self.country = countries.get(country) or countries.setdefault(country, CountryRow(country))
        self.labels = labels
        self.recognised_by = Organization(recogniser, recogniser_status) if recogniser is not None else None
        self.charges = Related()
        self.released_detentions = Related()

    def get_custody_status_display(self):
        return self.labels.custody.get(self.custody_status, self.custody_status)

    def get_release_mode_display(self):
        return self.labels.release_mode.get(self.release_mode, self.release_mode)

    @property
    def detained(self):
        return PreciseDate.of(self.detained_on, self.detained_on_precision)

    @property
    def released(self):
        return PreciseDate.of(self.released_on, self.released_on_precision)


def read_registry_chunk(chunk, detentions):
    """PersonRows for a chunk of people's values, with their matching detentions: three queries."""
    person_url, event_url = url_maker("events:person"), url_maker("events:event")
    people = [PersonRow(values, person_url(values[1])) for values in chunk]
    by_pk = {person.pk: person for person in people}
    countries, labels = {}, Labels()
    rows = (
        detentions.filter(person_id__in=by_pk).order_by("person_id", *DETENTION_ORDER).values_list(*DetentionRow.FIELDS)
    )
    by_detention = {}
    for values in rows:
        detention = DetentionRow(values, countries, labels)
        by_detention[detention.pk] = detention
        by_pk[detention.person_id].matching_detentions.append(detention)
    if by_detention:
        charges = (
            Charge.objects.published()
            .filter(detention_id__in=by_detention)
            .order_by("article", "pk")
            .values_list("detention_id", "article", "code", "description")
        )
        for detention_id, article, code, description in charges:
            by_detention[detention_id].charges.append(ChargeRow(article, code, description))
        released = (
            ReleasedDetention.objects.published()
            .filter(detention_id__in=by_detention)
            .values_list("detention_id", "release__uid")
        )
        for detention_id, release_uid in released:
            by_detention[detention_id].released_detentions.append(
                ReleasedRow(Release(release_uid, event_url(release_uid)))
            )
    return people
