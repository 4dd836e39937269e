"""A chart of every report, bounded: at most so many marks, however many reports there are.

A measure with 800 reports drew 800 marks in a chart 640 pixels wide (200 kB
of SVG, most of the home and measure pages at 200,000 people), one on top of
another. `spread_over_time` keeps at most `most`: each series (an
organisation reporting) gets its share, taken evenly along its own reports
in date order, its first and latest always among them, so the chart still
spans every series' whole history without gaps of its own making. The pages
say how many were drawn; every report stays in the measure page's table and
in /figures.csv.
"""

# The marks a chart draws at most (the SVG writes ~270 bytes per mark, its tooltip included).
MOST_MARKS = 80


def spread_over_time(items, series, day, most=MOST_MARKS, worse=lambda item: False):
    """At most `most` of the items (one per series if there are more series), in their order.

    series(item) and day(item) say which series an item is in and its date.
    A `worse` item (a deprecated claim) is drawn only from a series that has
    no other. Series with few reports keep them all, and leave their unused
    share to the others.
    """
    items = list(items)
    if len(items) <= most:
        return items
    by_series = {}
    for item in items:
        by_series.setdefault(series(item), []).append(item)
    groups = []
    for found in by_series.values():
        better = [item for item in found if not worse(item)]
        groups.append(sorted(better or found, key=day))
    groups.sort(key=len)
    chosen, left = set(), most
    for number, group in enumerate(groups):
        share = max(1, left // (len(groups) - number))
        picked = _evenly(group, share)
        chosen |= {id(item) for item in picked}
        left -= len(picked)
    return [item for item in items if id(item) in chosen]


def _evenly(group, share):
    """`share` items of a date-ordered group, evenly along it, the latest always among them."""
    if share >= len(group):
        return group
    if share == 1:
        return group[-1:]
    last = len(group) - 1
    return [group[round(step * last / (share - 1))] for step in range(share)]
