from django.urls import path

from events.views import feeds, figures, registry, sources, timeline

app_name = "events"

urlpatterns = [
    path("", timeline.home, name="home"),
    path("timeline/", timeline.timeline, name="timeline"),
    path("events/<uuid:uid>/", timeline.event_detail, name="event"),
    path("releases/", figures.release_ledger, name="releases"),
    path("figures/", figures.figure_index, name="figures"),
    path("figures/<slug:slug>/", figures.measure_detail, name="measure"),
    path("prisoners/", registry.prisoners, name="prisoners"),
    path("prisoners/<uuid:uid>/", registry.person_detail, name="person"),
    path("sources/", sources.source_list, name="sources"),
    path("feeds/timeline.atom", feeds.TimelineFeed(), name="feed"),
    path("feeds/<str:country>.atom", feeds.CountryFeed(), name="country-feed"),
]
