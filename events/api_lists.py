"""What every list and record of the JSON API shares (events/views/api.py holds the lists and records).

- A list takes its page's FilterSet, on the same published queryset
  (`PublicFilters`), then one keyset page (events/pagination.py) in a fixed
  order that ends with the stable uid (`PublicList.keyset`), then its rows'
  details in a fixed number of queries (`PublicList.rows`).
- A parameter the list does not take, or a value its filter refuses, is a
  400 whose JSON body names the parameter (`exception_handler`, `ApiError`):
  a filter is never silently ignored.
- Each list and record describes itself to OpenAPI (`documented_list`,
  `documented_record`, `PARAMETER_HELP`).
"""

import datetime
import uuid

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.filters import BaseFilterBackend
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.views import exception_handler as drf_exception_handler

from events.pagination import CURSOR, PAGE_SIZE, KeysetPagination

NEWEST_FIRST = (("-occurred_on", datetime.date), ("-uid", uuid.UUID))
OLDEST_FIRST = (("occurred_on", datetime.date), ("uid", uuid.UUID))


def exception_handler(error, context):
    """Every error as JSON: {"detail": what went wrong, "errors": {parameter: [messages]}}."""
    response = drf_exception_handler(error, context)
    if response is not None and isinstance(error, ValidationError):
        response.data = {"detail": "These parameters cannot be applied.", "errors": response.data}
    return response


class ApiError(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a 400: each parameter that cannot be applied, with why.",
    )


def documented_list(operation_id, tag, summary, description=None):
    """The OpenAPI description of a list: its page of rows, or a 400 naming the parameters refused."""

    def decorate(view):
        responses = {200: view.serializer_class, 400: ApiError}
        return extend_schema_view(
            get=extend_schema(
                operation_id=operation_id, tags=[tag], summary=summary, description=description, responses=responses
            )
        )(view)

    return decorate


def documented_record(operation_id, tag, summary):
    """The OpenAPI description of one record: the record, or a 404 (drafts and withheld people are missing too)."""

    def decorate(view):
        responses = {200: view.serializer_class, 404: ApiError}
        return extend_schema_view(
            get=extend_schema(operation_id=operation_id, tags=[tag], summary=summary, responses=responses)
        )(view)

    return decorate


# What each query parameter takes, for the OpenAPI description: the choices
# of most filters are the values the public data holds, read at request time.
PARAMETER_HELP = {
    "country": "An ISO 3166 code (BY, RU…), in any case; only countries with published records are accepted.",
    "person": "The uid of a person named in full who took part.",
    "organization": "The uid of an organisation that took part.",
    "release": "The uid of a published release.",
    "measure": "A measure's slug, as in /api/v1/measures/.",
    "deprecated": "1 to include deprecated figures.",
    "q": "Words to look for; names match in any spelling (Latin or Cyrillic).",
    "region": "A home region, exactly as listed on the page's filter.",
    "facility": "A facility, exactly as listed on the page's filter.",
    "article": "An article of the criminal code, exactly as listed on the page's filter.",
}


def parameter_schema(filter_):
    field = filter_.field_class
    if issubclass(field, forms.IntegerField):
        schema = {"type": "integer"}
        for key, openapi in (("min_value", "minimum"), ("max_value", "maximum")):
            if key in filter_.extra:
                schema[openapi] = filter_.extra[key]
        return schema
    if issubclass(field, forms.DateField):
        return {"type": "string", "format": "date"}
    choices = filter_.extra.get("choices")
    if isinstance(filter_, django_filters.ChoiceFilter) and isinstance(choices, (list, tuple)) and choices:
        return {"type": "string", "enum": [str(value) for value, _ in choices]}
    return {"type": "string"}


class PublicFilters(BaseFilterBackend):
    """The page's FilterSet on the view's published queryset; a 400 for anything it refuses."""

    def filter_queryset(self, request, queryset, view):
        allowed = view.parameters()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {
                    name: [f"This list takes no such parameter. It takes: {', '.join(sorted(allowed))}."]
                    for name in unknown
                }
            )
        data = request.query_params.copy()
        for name in (CURSOR, PAGE_SIZE):
            data.pop(name, None)
        filterset = view.filterset_class(data, queryset=queryset)
        if not filterset.is_valid():
            errors = filterset.form.errors.get_json_data()
            raise ValidationError(
                {
                    "parameters" if name == "__all__" else name: [error["message"] for error in messages]
                    for name, messages in errors.items()
                }
            )
        view.filterset = filterset
        return view.filtered(filterset)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": ". ".join(
                    part for part in (str(filter_.label or name), PARAMETER_HELP.get(name, "")) if part
                ),
                "schema": parameter_schema(filter_),
            }
            for name, filter_ in view.filterset_class.base_filters.items()
            if name not in view.excluded_filters
        ]


class PublicList(ListModelMixin, GenericAPIView):
    """A public list: filters, then one keyset page, then the rows' details in a fixed number of queries."""

    filter_backends = [PublicFilters]
    pagination_class = KeysetPagination
    filterset_class = None
    excluded_filters = ()

    def parameters(self):
        names = set(self.filterset_class.base_filters) - set(self.excluded_filters)
        return names | {CURSOR, PAGE_SIZE}

    def filtered(self, filterset):
        return filterset.qs

    def keyset(self, request):
        return NEWEST_FIRST

    def rows(self, page):
        return page

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(self.rows(page), many=True).data)

    def get(self, request):
        return self.list(request)


def keyset_order(request):
    return OLDEST_FIRST if request.query_params.get("order") == "oldest" else NEWEST_FIRST


def one(queryset, **lookup):
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound("No published record has this ID.")
    return obj
