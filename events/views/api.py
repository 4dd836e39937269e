"""The read-only JSON API, version 1: the public lists and records as JSON.

Each list builds the same FilterSet as its page, on the same published
queryset, so `/api/v1/prisoners/?status=held` holds the people
`/prisoners/?status=held` lists. Lists are paged by keyset
(events/pagination.py) in a fixed order that ends with the stable uid. A
parameter the list does not take, or a value its filter refuses, is a 400
with a JSON body naming the parameter: a filter is never silently ignored.

What each record shows is in events/serializers.py; people go through
`shown_person`, as on the registry's pages. What every list shares (the
filters, the pages, the errors, the OpenAPI description) is in
events/api_lists.py.
"""

import datetime
import uuid

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from events.api_lists import PublicList, documented_list, documented_record, keyset_order, one
from events.disclosure import shown_person
from events.filters import ApiFigureFilter, EventFilter, MeasureFilter, PrisonerFilter, ReleaseFilter, SourceFilter
from events.models import Event, Figure, Measure
from events.pagination import RegistryPagination
from events.registry import in_public_order, listed_with_details, registry_rows, withheld_count
from events.serializers import (
    EventSerializer,
    FigureSerializer,
    MeasureSerializer,
    PersonSerializer,
    ReleaseSerializer,
    SourceSerializer,
)
from events.sources import cited_events, with_cited_facts
from tracker.models import Detention, Source


@documented_list("events_list", "events", "Events of the timeline, newest first (or oldest first with order=oldest)")
class EventList(PublicList):
    serializer_class = EventSerializer
    filterset_class = EventFilter

    def get_queryset(self):
        return Event.objects.published().with_details().prefetch_related("release_details")

    def keyset(self, request):
        return keyset_order(request)


@documented_record("events_retrieve", "events", "One published event")
class EventDetail(GenericAPIView):
    serializer_class = EventSerializer

    def get(self, request, uid):
        event = one(Event.objects.published().with_details().prefetch_related("release_details"), uid=uid)
        return Response(self.get_serializer(event).data)


@documented_list("releases_list", "releases", "The release ledger: every published release, newest first")
class ReleaseList(PublicList):
    serializer_class = ReleaseSerializer
    filterset_class = ReleaseFilter

    def get_queryset(self):
        return Event.objects.published().releases()

    def filtered(self, filterset):
        return filterset.qs.for_ledger(filterset.form.cleaned_data["deprecated"]).with_participants_and_citations()


@documented_list("figures_list", "figures", "Reported figures, newest first; deprecated ones only with deprecated=1")
class FigureList(PublicList):
    serializer_class = FigureSerializer
    filterset_class = ApiFigureFilter

    def get_queryset(self):
        return Figure.objects.published().select_related("measure", "source", "attributed_to", "event")

    def keyset(self, request):
        return (("-as_of_on", datetime.date), ("-uid", uuid.UUID))


@documented_record("figures_retrieve", "figures", "One published figure, deprecated ones included")
class FigureDetail(GenericAPIView):
    serializer_class = FigureSerializer

    def get(self, request, uid):
        figures = Figure.objects.published().select_related("measure", "source", "attributed_to", "event")
        return Response(self.get_serializer(one(figures, uid=uid)).data)


@documented_list("measures_list", "figures", "What the figures count: every measure with a published figure")
class MeasureList(PublicList):
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter

    def get_queryset(self):
        return Measure.objects.published()

    def keyset(self, request):
        return (("slug", str),)


@documented_record("measures_retrieve", "figures", "One measure")
class MeasureDetail(GenericAPIView):
    serializer_class = MeasureSerializer

    def get(self, request, slug):
        return Response(self.get_serializer(one(Measure.objects.published(), slug=slug)).data)


@documented_list(
    "prisoners_list",
    "prisoners",
    "The prisoner registry: people named in full or by initials, with their matching detentions, by name",
    description=(
        "One row per person, with the detentions that match the filters. People whose names are withheld are never "
        "listed; without filters other than status, `withheld` says how many people the list leaves out for that reason. "
        "The order is by name as the public sees it (initials for people shown by initials), then by uid; "
        "`order` takes only `name`, the page's default."
    ),
)
class PersonList(PublicList):
    serializer_class = PersonSerializer
    pagination_class = RegistryPagination
    filterset_class = PrisonerFilter

    def get_queryset(self):
        return Detention.objects.published()

    def filtered(self, filterset):
        return in_public_order(filterset.qs, "")

    def keyset(self, request):
        if request.query_params.get("order", "name") != "name":
            raise ValidationError(
                {"order": ["The API lists people by name only (order=name): download the CSV to sort by date."]}
            )
        return (("sort_name", str), ("uid", uuid.UUID))

    def rows(self, page):
        return registry_rows(page)

    def get_paginated_response(self, data):
        self.paginator.extra = {"withheld": withheld_count(self.filterset)}
        return super().get_paginated_response(data)


@documented_record(
    "prisoners_retrieve", "prisoners", "One person of the registry (not withheld), with all their public detentions"
)
class PersonDetail(GenericAPIView):
    serializer_class = PersonSerializer

    def get(self, request, uid):
        person = one(listed_with_details(), uid=uid)
        return Response(self.get_serializer(shown_person(person, person.shown_detentions)).data)


@documented_list("sources_list", "sources", "Published sources, by uid")
class SourceList(PublicList):
    serializer_class = SourceSerializer
    filterset_class = SourceFilter

    def get_queryset(self):
        return Source.objects.published()

    def filtered(self, filterset):
        return with_cited_facts(filterset.qs)

    def keyset(self, request):
        return (("uid", uuid.UUID),)

    def rows(self, page):
        for source in page:
            source.cited_events = cited_events(source)
        return page


@documented_record("sources_retrieve", "sources", "One published source")
class SourceDetail(GenericAPIView):
    serializer_class = SourceSerializer

    def get(self, request, uid):
        source = one(with_cited_facts(Source.objects.published()), uid=uid)
        source.cited_events = cited_events(source)
        return Response(self.get_serializer(source).data)


@extend_schema(
    tags=["index"],
    operation_id="index",
    summary="Where everything is",
    responses=OpenApiResponse(
        inline_serializer(
            "Index",
            {
                name: serializers.URLField()
                for name in (
                    "events",
                    "releases",
                    "figures",
                    "measures",
                    "prisoners",
                    "sources",
                    "schema",
                    "documentation",
                )
            },
        )
    ),
)
@api_view(["GET"])
def index(request):
    def url(name):
        return request.build_absolute_uri(reverse(f"api:{name}"))

    return Response(
        {
            "events": url("events"),
            "releases": url("releases"),
            "figures": url("figures"),
            "measures": url("measures"),
            "prisoners": url("people"),
            "sources": url("sources"),
            "schema": url("schema"),
            "documentation": url("docs"),
        }
    )


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def not_found(request, rest=""):
    raise NotFound("There is nothing at this address. The API's index is /api/v1/.")
