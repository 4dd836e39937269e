"""The /data/ page and the files of the data package."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from events import dataset
from events.columns import TABLES
from events.filters import covered_countries

CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".zip": "application/zip"}
REBUILDING = "The data package is being rebuilt with the latest changes. Please try again in a few seconds.\n"


def data(request):
    """Every download documented: the CSV columns, the API, TimelineJS, and the data package of the data as it is."""
    found = dataset.current()
    package = found[1] if found else None
    context = {
        "tables": TABLES,
        "package": package,
        "rebuilding": found is None,
        "archive": dataset.ARCHIVE,
        "feed_countries": covered_countries(),
    }
    return render(request, "events/data.html", context)


def package_file(request, name):
    """One file of the package of the data as it is now, by its exact name: nothing else is reachable.

    A package read before the public data last changed is never served: the first request after a change
    builds the new one, and others meanwhile are asked to come back.
    """
    if name not in dataset.FILES:
        raise Http404("No such file in the data package.")
    found = dataset.current()
    try:
        file = dataset.storage().open(f"{found[0]}/{name}", "rb") if found else None
    except OSError:  # removed by a newer build since the folder was chosen
        file = None
    if file is None:
        response = HttpResponse(REBUILDING, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "5"
        return response
    response = FileResponse(file, content_type=CONTENT_TYPES[name[name.rindex(".") :]])
    if not name.endswith(".json"):
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A proxy or browser keeping a copy would serve it after a name is withheld.
    response["Cache-Control"] = "no-cache"
    return response
