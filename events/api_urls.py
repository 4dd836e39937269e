"""The JSON API's addresses, version 1: /api/v1/…"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView, SpectacularYAMLAPIView

from events.views import api

app_name = "api"

urlpatterns = [
    path("v1/", api.index, name="index"),
    path("v1/events/", api.EventList.as_view(), name="events"),
    path("v1/events/<uuid:uid>/", api.EventDetail.as_view(), name="event"),
    path("v1/releases/", api.ReleaseList.as_view(), name="releases"),
    path("v1/figures/", api.FigureList.as_view(), name="figures"),
    path("v1/figures/<uuid:uid>/", api.FigureDetail.as_view(), name="figure"),
    path("v1/measures/", api.MeasureList.as_view(), name="measures"),
    path("v1/measures/<slug:slug>/", api.MeasureDetail.as_view(), name="measure"),
    path("v1/prisoners/", api.PersonList.as_view(), name="people"),
    path("v1/prisoners/<uuid:uid>/", api.PersonDetail.as_view(), name="person"),
    path("v1/sources/", api.SourceList.as_view(), name="sources"),
    path("v1/sources/<uuid:uid>/", api.SourceDetail.as_view(), name="source"),
    path("v1/schema.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/schema.yaml", SpectacularYAMLAPIView.as_view(), name="schema-yaml"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"^(?P<rest>.*)$", api.not_found),
]
