"""The prisoner registry's page and the person page.

What the public may see of a person is events/disclosure.py's; the list's
reads (its people, order and counts) are events/registry.py's; its filters
are PrisonerFilter's (events/filters.py).
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import SafeString

from events import registry
from events.disclosure import shown_person
from events.filters import PrisonerFilter, refused
from events.html import text
from events.pagination import page_of, query_without_page
from tracker.caching import public_page
from tracker.models import Detention


@public_page(PrisonerFilter, "page")
def prisoners(request):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    context = {"filter": filterset, "query": query_without_page(request)}
    if refused(filterset):
        # The filters say what is wrong beside each field; no list is shown
        # rather than a list that ignores what was asked. (Only the status is asked here: the
        # lists the database keeps in order never build the filtered queryset.)
        return render(request, "events/prisoners.html", {**context, "invalid": True}, status=400)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    ids = registry.listed_ids(filterset, order)
    # Without filters or by custody status only, the registry's totals give
    # the exact count; otherwise the keys read say it, up to MAX_LISTED.
    count = registry.listed_count(filterset)
    exact = count is not None or len(ids) <= registry.MAX_LISTED
    if count is None:
        count = len(ids)
    page = page_of(request, ids[: registry.MAX_LISTED])
    rows = registry.page_rows(page.object_list, registry.shown_detentions(filterset))
    context.update(
        page=page,
        rows=rows,
        table_rows=table_rows(rows),
        filtered=bool(filterset.active_filters),
        count=count,
        exact=exact,
        max_listed=registry.MAX_LISTED,
        withheld=registry.withheld_count(filterset),
    )
    searched = filterset.form.cleaned_data.get("q") if filterset.is_bound else ""
    if searched and not count:
        # What was searched, and the names nearest to it that the public may see.
        context.update(
            searched=searched,
            other_filters=bool(filterset.active_filters - {"q"}),
            suggestions=registry.nearest_names(searched),
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


# --- The registry's table rows, rendered once here ----------------------------
#
# Each row would cost the template about forty variable lookups; writing the
# same HTML here takes a tenth of the time. The rows are shown_person()'s
# (ShownPerson, ShownDetention): the name is the public name. Every value is
# escaped once, as {{ value }} escapes it (escape(), or __html__ of a value
# already safe); only the markup below is written unescaped.
# tests/test_registry_render.py holds this HTML equal to the template it
# replaced, for awkward and hostile values.


NAME_CELL = '<th scope="rowgroup"{rowspan}><a href="{url}">{name}</a></th>'


def detention_cells(detention):
    """The cells of one detention after the name, from custody status to the release that freed them."""
    detained, released, release = detention.detained, detention.released, detention.release
    return (
        f'\n      <td data-label="Custody status">{text(detention.custody_status)}</td>'
        '\n      <td data-label="Detained">'
        + (f'<time datetime="{text(detained.iso)}">{text(detained)}</time>' if detained else "Not known")
        + '</td>\n      <td data-label="Released">'
        + (
            f'<time datetime="{text(released.iso)}">{text(released)}</time>'
            if released
            else ("Date not recorded" if detention.release_date_missing else "—")
        )
        + f'</td>\n      <td data-label="Facility">{text(detention.facility or "—")}</td>'
        f'\n      <td data-label="Articles">{text(detention.articles or "—")}</td>'
        '\n      <td data-label="Freed in">'
        + (f'<a href="{text(release.get_absolute_url())}">{text(release.title)}</a>' if release else "—")
        + "</td>\n    </tr>\n    "
    )


def person_rows(person):
    """One person's <tbody>: a row per detention, the name heading the first (and spanning them all)."""
    detentions = person.detentions
    count = len(detentions)
    parts = ['\n  <tbody class="registry-person">\n    ']
    for number, detention in enumerate(detentions):
        parts.append("\n    <tr>\n      ")
        if number == 0:
            rowspan = f' rowspan="{text(count)}"' if count > 1 else ""
            parts.append(NAME_CELL.format(rowspan=rowspan, url=text(person.url), name=text(person.name)))
        parts.append(detention_cells(detention))
    parts.append("\n  </tbody>\n  ")
    return "".join(parts)


def table_rows(rows):
    """The <tbody> of each person of the page, as the template places them: safe, each value escaped above."""
    return SafeString("".join(person_rows(person) for person in rows))
