"""The prisoner registry's page and the person page.

What the public may see of a person is events/disclosure.py's; the list's
reads (its people, order and counts) are events/registry.py's; its filters
are PrisonerFilter's (events/filters.py).
"""

from django.http import Http404
from django.shortcuts import render

from events import registry
from events.disclosure import shown_person
from events.filters import PrisonerFilter, filtered_or_400
from events.pagination import page_of, query_without_page
from tracker.caching import public_page
from tracker.models import Detention


@public_page(PrisonerFilter, "page")
def prisoners(request):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    context = {"filter": filterset, "query": query_without_page(request)}
    detentions, status = filtered_or_400(filterset)
    if status == 400:
        # The filters say what is wrong beside each field; no list is shown
        # rather than a list that ignores what was asked.
        return render(request, "events/prisoners.html", {**context, "invalid": True}, status=status)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    ids = registry.listed_ids(filterset, order)
    # Without filters or by custody status only, the registry's totals give
    # the exact count; otherwise the keys read say it, up to MAX_LISTED.
    count = registry.listed_count(filterset)
    exact = count is not None or len(ids) <= registry.MAX_LISTED
    if count is None:
        count = len(ids)
    page = page_of(request, ids[: registry.MAX_LISTED])
    context.update(
        page=page,
        rows=registry.page_rows(page.object_list, detentions),
        filtered=bool(filterset.active_filters),
        count=count,
        exact=exact,
        max_listed=registry.MAX_LISTED,
        withheld=registry.withheld_count(filterset),
    )
    return render(request, "events/prisoners.html", context)


@public_page()
def person_detail(request, uid):
    # A withheld person's page answers exactly as a page that does not exist.
    person = registry.listed_with_details(sources=True).filter(uid=uid).first()
    if person is None:
        raise Http404("No such person.")
    context = {"person": shown_person(person, person.shown_detentions)}
    return render(request, "events/person.html", context)
