from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Political prisoner release tracker"
admin.site.site_title = "Tracker admin"
admin.site.index_title = "Editors' workspace"

urlpatterns = [
    # The events app owns the public pages; referenced by name so that the
    # registry (tracker) never imports from events.
    path("", include("events.urls")),
    path("admin/", admin.site.urls),
]
