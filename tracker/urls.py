from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Political prisoner release tracker"
admin.site.site_title = "Tracker admin"
admin.site.index_title = "Editors' workspace"

urlpatterns = [
    # The events app owns the public pages; referenced by name so that the
    # registry (tracker) never imports from events.
    path("", include("events.urls")),
    path("api/", include("events.api_urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]
