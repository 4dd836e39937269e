from django.urls import path

from events.views import data, downloads, feeds, figures, registry, releases, site, sources, timeline, timelinejs

app_name = "events"

urlpatterns = [
    path("", timeline.home, name="home"),
    path("timeline/", timeline.timeline, name="timeline"),
    path("timeline.csv", downloads.timeline_csv, name="timeline-csv"),
    path("timeline.xlsx", downloads.timeline_csv, {"format": "xlsx"}, name="timeline-xlsx"),
    path("timeline.timelinejs.json", timelinejs.timeline_timelinejs, name="timeline-timelinejs"),
    path("events/<uuid:uid>/", timeline.event_detail, name="event"),
    path("releases/", releases.release_ledger, name="releases"),
    path("releases.csv", downloads.releases_csv, name="releases-csv"),
    path("releases.xlsx", downloads.releases_csv, {"format": "xlsx"}, name="releases-xlsx"),
    path("figures/", figures.figure_index, name="figures"),
    path("figures.csv", downloads.figures_csv, name="figures-csv"),
    path("figures.xlsx", downloads.figures_csv, {"format": "xlsx"}, name="figures-xlsx"),
    path("figures/<slug:slug>/", figures.measure_detail, name="measure"),
    path("prisoners/", registry.prisoners, name="prisoners"),
    path("prisoners.csv", downloads.prisoners_csv, name="prisoners-csv"),
    path("prisoners.xlsx", downloads.prisoners_csv, {"format": "xlsx"}, name="prisoners-xlsx"),
    path("prisoners/<uuid:uid>/", registry.person_detail, name="person"),
    path("sources/", sources.source_list, name="sources"),
    path("sources.csv", downloads.sources_csv, name="sources-csv"),
    path("sources.xlsx", downloads.sources_csv, {"format": "xlsx"}, name="sources-xlsx"),
    path("data/", data.data, name="data"),
    path("data/package/<str:name>", data.package_file, name="package-file"),
    path("feeds/timeline.atom", feeds.TimelineFeed(), name="feed"),
    path("feeds/<str:country>.atom", feeds.CountryFeed(), name="country-feed"),
    path("about/", site.about, name="about"),
    path("robots.txt", site.robots_txt, name="robots-txt"),
]
