"""A chart of every report, bounded: at most so many marks, however many reports there are.

A measure with 800 reports drew 800 marks in a chart 640 pixels wide (200 kB
of SVG, most of the home and measure pages at 200,000 people), one on top of
another. `latest_per_period` keeps, for each series (an organisation
reporting), its latest report of each period, the period as short as lets
the chart stay under `most` marks: a month, a quarter, a year... The pages
say what was kept, and every report stays in the measure page's table and in
/figures.csv.
"""

# Periods tried, shortest first, in months, with how a page names them ("the latest report of each month").
PERIODS = [
    (1, "of each month"),
    (3, "of each quarter"),
    (6, "of each half-year"),
    (12, "of each year"),
    (24, "of every two years"),
    (60, "of every five years"),
]
# The marks a chart draws at most (the SVG writes ~270 bytes per mark, its tooltip included).
MOST_MARKS = 100


def latest_per_period(items, series, day, most=MOST_MARKS, worse=lambda item: False):
    """(kept items in their order, the period's words), or (items, None) when all fit.

    series(item) and day(item) say which series an item is in and its date;
    a `worse` item (a deprecated claim) is kept only if its period has no other.
    Past the longest period, one item per series (its words are ""): the
    chart is then as many marks as there are series.
    """
    items = list(items)
    if len(items) <= most:
        return items, None
    for months, name in [*PERIODS, (None, "")]:
        kept = _latest(items, series, day, worse, months)
        if len(kept) <= most or months is None:
            return kept, name


def _latest(items, series, day, worse, months):
    """Per series and period of `months` (None: the whole span), its latest item; in the items' order."""
    latest = {}
    for item in items:
        key = (series(item), None if months is None else (day(item).year * 12 + day(item).month - 1) // months)
        best = latest.get(key)
        if best is None or (not worse(item), day(item)) > (not worse(best), day(best)):
            latest[key] = item
    chosen = {id(item) for item in latest.values()}
    return [item for item in items if id(item) in chosen]
