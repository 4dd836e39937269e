"""The filters' form of every list page, written in Python: `{% filter_form filter %}`.

It was templates/includes/filter_form.html, included by the timeline, the
registry, the ledger, the sources and the figures pages: its loop over the
fields cost about a millisecond a page, rendered anew on every page not
cached. The tag writes the same bytes (tests/test_filter_forms.py holds them
equal to that template for valid, refused and hostile values); each field's
control is still the widget's own (events/widgets.py FastSelect for the
lists), every other value escaped once, as {{ value }} escapes it.
"""

from django import template
from django.utils.safestring import mark_safe

from events.html import text

register = template.Library()


def _field(field):
    """One filter's <div>: its label, its control, the link to values not listed (More) and its errors."""
    errors = field.errors
    more = getattr(field.field, "more", None)
    return "".join(
        (
            f'\n  <div class="filter{" has-error" if errors else ""}">\n'
            f'    <label for="{text(field.id_for_label)}">{text(field.label)}</label>\n'
            f"    {text(field)}\n    ",
            f'<p class="filter-more"><a href="{text(more.url)}">{text(more.label)}</a></p>' if more else "",
            "\n    ",
            "".join(f'<p class="field-error" role="alert">{text(error)}</p>' for error in errors),
            "\n  </div>\n  ",
        )
    )


def _path(context):
    """{{ request.path }}: "" where the context has no request, as the template wrote it."""
    request = context.get("request")
    return "" if request is None else request.path


def in_use(filterset):
    """Whether the reader has asked for anything (a filter, an order) or has a value to correct."""
    form = filterset.form
    if not filterset.is_bound:
        return False
    if not form.is_valid():
        return True
    return any(value not in (None, "", [], (), False) for value in form.cleaned_data.values())


# Phones: the filters fold away behind "Filters" (a <details>, no script), so that the first result is in view;
# open when any is in use or refused. Wider screens show them always (static/css/site.css: ::details-content).
BOX = '\n<details class="filter-box"{open}><summary>Filters</summary>'


@register.simple_tag(takes_context=True)
def filter_form(context, filterset):
    """A GET form of a FilterSet's fields: every filtered view has its own address; "Clear" leads to the bare one."""
    form = filterset.form
    errors = form.non_field_errors()
    return mark_safe(
        "".join(
            (
                BOX.format(open=" open" if in_use(filterset) else ""),
                '\n\n<form method="get" class="filters" role="search">\n  ',
                f'<div class="form-errors" role="alert">{text(errors)}</div>' if errors else "",
                "\n  ",
                "".join(_field(field) for field in form),
                '\n  <div class="filter-actions">\n    <button type="submit">Apply</button>\n'
                f'    <a href="{text(_path(context))}">Clear</a>\n  </div>\n</form>\n',
                "</details>\n",
            )
        )
    )
