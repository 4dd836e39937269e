"""The /data/ page and the files of the latest data package."""

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render

from events import dataset
from events.columns import TABLES

CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json", ".zip": "application/zip"}


def data(request):
    """Every download documented: the CSV columns, the API, TimelineJS, and the latest data package."""
    package = dataset.latest(settings.DATASET_DIR)
    return render(request, "events/data.html", {"tables": TABLES, "package": package, "archive": dataset.ARCHIVE})


def package_file(request, name):
    """One file of the latest package, by its exact name: nothing else in the directory is reachable."""
    names = {dataset.DESCRIPTOR, dataset.ARCHIVE, *(f"{table}.csv" for table in TABLES)}
    if name not in names:
        raise Http404("No such file in the data package.")
    try:
        file = open(settings.DATASET_DIR / name, "rb")
    except OSError:
        raise Http404("The data package has not been built yet.") from None
    response = FileResponse(file, content_type=CONTENT_TYPES[name[name.rindex(".") :]])
    if not name.endswith(".json"):
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
