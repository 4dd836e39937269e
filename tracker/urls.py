from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView


class FaviconView(RedirectView):
    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


# A database that cannot be reached is a 503 page, not a traceback (tracker/outages.py).
handler500 = "tracker.outages.server_error"

urlpatterns = [
    # The events app owns the public pages; referenced by name so that the
    # registry (tracker) never imports from events.
    path("", include("events.urls")),
    path("api/", include("events.api_urls")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says. The address is
    # looked up when asked for: outside DEBUG it is the collected file's
    # hashed name, known only once collectstatic has run.
    path("favicon.ico", FaviconView.as_view(permanent=True)),
]
