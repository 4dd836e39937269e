"""The pages about the site itself: About (what this is, who keeps it, how it counts, whom to write to) and robots.txt."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from events.filters import covered_countries
from tracker.caching import public_page


@public_page()
def about(request):
    context = {
        "keeper": settings.SITE_KEEPER,
        "contact": settings.CONTACT_EMAIL,
        "covered": covered_countries(),
    }
    return render(request, "events/about.html", context)


@require_safe
def robots_txt(request):
    """Crawlers read the pages and records; the admin, the API and the whole-list downloads are not for them.

    A download is the whole list (tens of megabytes at scale), and every filter makes another address of it: a
    crawler following them would spend the server on copies of the same rows. The data page documents them for
    people; the data package (linked there) is the one copy to take.
    """
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        f"Disallow: {reverse('api:index')}",
        f"Disallow: {reverse('events:package-file', args=['x']).removesuffix('x')}",
        "Disallow: /*.csv",
        "Disallow: /*.xlsx",
        "Disallow: /*.json",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
