"""Figures over time as an SVG chart, laid out and drawn here.

No JavaScript: the server computes every coordinate (`layout`) and writes the
SVG (`draw`, every text escaped; a measure's chart has hundreds of marks, so
it is written with strings rather than through the template engine). Claims
are drawn as honestly as they are worded:

- each source is a series with its own colour *and* shape (circle, square,
  diamond, triangle), so colour never carries the meaning alone;
- an exact value is a filled shape; "about" is a hollow one, and so are "almost" and "just over", with their arrows;
- "over", "at least" is a shape with an arrow up (a lower bound), "fewer
  than", "at most" one with an arrow down (an upper bound);
- a range is a band from its lower to its upper value, a shape at each end;
- a value known only to the month or the year is a bar across that period,
  its shape in the middle: "September 2025" is not the 1st of September;
- a deprecated claim is faded and struck through;
- the registry's own count is a dashed step line (a stock: named people held
  on each date) or grey plus signs (a count per period or per event).
"""

import datetime
from dataclasses import dataclass, field
from html import escape

from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

from events.wording import whose_count
from tracker.dates import Precision, date_in_words, period_end

# Colours distinguishable with the common colour-vision deficiencies
# (Okabe–Ito), darkened where needed for contrast on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#000000"]
SHAPES = ["circle", "square", "diamond", "triangle"]
REGISTRY_COLOUR = "#555555"

LOWER_BOUNDS = {"more_than", "at_least", "just_over"}
UPPER_BOUNDS = {"fewer_than", "at_most", "almost"}
# Drawn hollow: the number is near the value, not the value ("about"; "almost" and "just over" also bound it).
NEAR = {"approximately", "almost", "just_over"}

RADIUS = 5
ARROW = 20  # length of a bound's arrow, in pixels
PAD = 16  # keeps the first and last marks off the axes
DODGE = 4  # pixels between the series' marks on the same date


@dataclass
class Claim:
    on: datetime.date
    precision: str
    value: int
    qualifier: str
    upper_value: int | None
    words: str
    label: str  # for the tooltip: "about 1,200 as of 12 December 2025"
    is_deprecated: bool = False


@dataclass
class Series:
    name: str
    claims: list[Claim] = field(default_factory=list)


def series_of(source, attributed=None):
    """The key and name of the series a figure is drawn in: the organisation whose count it is.

    One series per organisation: the one a figure is attributed to (Viasna's
    count quoted by a news agency), else its source's publisher (a monitor's
    monthly reports), so that one organisation's counts are one line of
    marks, not one colour per outlet that quoted them. Only a published
    organisation names a series (public_name); a figure with neither is drawn
    as a series of its source. Reads source.publisher: select it with the source.
    """
    organisation = whose_count(attributed, source.publisher)
    if organisation is not None:
        return ("organisation", organisation.pk), organisation.public_name
    return ("source", source.pk), source.title


@dataclass
class Registry:
    """The registry's own count, drawn beside the reported figures.

    counts: (date, count) pairs. A stock (named people held) is a step line
    through them; counts over a period or per event are single points.
    """

    name: str
    counts: list[tuple[datetime.date, int]]
    is_stock: bool = True

    def rows(self):
        """(ISO date, date in words, count) per date: the table beside the chart, ready to print."""
        return [(day.isoformat(), date_in_words(day, Precision.DAY), count) for day, count in self.counts]


@dataclass
class Mark:
    """One claim, as the shapes that draw it."""

    label: str
    deprecated: bool
    markers: list  # SVG paths of the series' shape: one, or two for a range
    hollow: bool = False
    lines: list = field(default_factory=list)  # x1, y1, x2, y2, width
    band: dict | None = None  # x, y, width, height of a range
    arrow: str = ""  # an SVG path for a bound's arrowhead
    strike: str = ""  # an SVG path through a deprecated claim


def marker(shape, cx, cy, r=RADIUS):
    """An SVG path of `shape` centred on (cx, cy): every series draws with paths."""
    if shape == "square":
        s = round(r * 0.9, 1)
        return f"M{_n(cx - s)},{_n(cy - s)}H{_n(cx + s)}V{_n(cy + s)}H{_n(cx - s)}Z"
    if shape == "diamond":
        s = round(r * 1.25, 1)
        return f"M{_n(cx)},{_n(cy - s)}L{_n(cx + s)},{_n(cy)}L{_n(cx)},{_n(cy + s)}L{_n(cx - s)},{_n(cy)}Z"
    if shape == "triangle":
        s = round(r * 1.2, 1)
        return f"M{_n(cx)},{_n(cy - s)}L{_n(cx + s)},{_n(cy + s * 0.8)}L{_n(cx - s)},{_n(cy + s * 0.8)}Z"
    # A circle as two arcs, so that the template has one kind of element to draw.
    return f"M{_n(cx - r)},{_n(cy)}a{r},{r} 0 1,0 {2 * r},0a{r},{r} 0 1,0 {-2 * r},0Z"


def plus(cx, cy, r=RADIUS):
    return f"M{_n(cx - r)},{_n(cy)}H{_n(cx + r)}M{_n(cx)},{_n(cy - r)}V{_n(cy + r)}"


def _n(value):
    """A coordinate as the SVG needs it: at most one decimal, no trailing '.0'."""
    value = round(value, 1)
    return str(int(value)) if value == int(value) else str(value)


def nice_scale(highest, most_ticks=5):
    """(ceiling, step): the y axis from 0 in at most 5 round steps (1, 2 or 5 × 10^n), at or above `highest`."""
    highest = max(int(-(-highest // 1)), 1)
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            ticks = -(-highest // step)  # ceiling division
            if ticks <= most_ticks:
                return int(max(ticks, 1) * step), step
        magnitude *= 10


def nice_ceiling(value):
    """The top of the y axis for values up to `value`."""
    return nice_scale(value)[0]


def month_ticks(first, last, most=8):
    """First days of months between first and last, every 1, 3, 6, 12, 24, 60… months, at most `most`."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    for step in (1, 2, 3, 6, 12, 24, 60, 120, 240, 600):
        if months / step <= most:
            break
    ticks = []
    index = first.year * 12 + first.month - 1
    index += -index % step
    while True:
        day = datetime.date(index // 12, index % 12 + 1, 1)
        if day > last:
            return ticks
        if day >= first:
            label = str(day.year) if step >= 12 else f"{MONTHS_3[day.month].capitalize()} {day.year}"
            ticks.append((day, label))
        index += step


def layout(series, registry=(), width=720, height=320):
    """Coordinates for the chart of `series` and the registry's count, or None if there is nothing to draw.

    registry: a Registry, or (date, count) pairs oldest first (a stock, drawn as a step line).
    """
    if registry and not isinstance(registry, Registry):
        registry = Registry("Named people held, in this database", list(registry))
    counts = sorted(registry.counts) if registry else []
    claims = [claim for s in series for claim in s.claims]
    if not claims and not counts:
        return None
    left, right, top, bottom = 56, 16, 16, 36
    plot_w, plot_h = width - left - right - 2 * PAD, height - top - bottom

    first = min([c.on for c in claims] + [d for d, _ in counts])
    last = max([period_end(c.on, c.precision) for c in claims] + [d for d, _ in counts])
    if first == last:
        first, last = first - datetime.timedelta(days=30), last + datetime.timedelta(days=30)
    span = (last - first).days
    # Room above the highest claim, and more above a lower bound for its arrow up.
    tops = [c.value * 1.15 if c.qualifier in LOWER_BOUNDS else c.upper_value or c.value for c in claims]
    ceiling, step = nice_scale(max(tops + [n for _, n in counts] + [1]) * 1.05)

    def x(day):
        return round(left + PAD + plot_w * (day - first).days / span, 1)

    def y(value):
        return round(top + plot_h * (1 - value / ceiling), 1)

    drawn = []
    for index, s in enumerate(series):
        shape = SHAPES[index % len(SHAPES)]
        # Sources reporting on the same day are nudged apart, side by side, not on top of each other.
        dodge = (index - (len(series) - 1) / 2) * DODGE
        marks = [_mark(c, shape, x, y, top, top + plot_h, dodge) for c in sorted(s.claims, key=lambda c: c.on)]
        drawn.append(
            {
                "name": s.name,
                "colour": PALETTE[index % len(PALETTE)],
                "shape": shape,
                "swatch": marker(shape, 8, 8),
                "marks": marks,
            }
        )

    registry_line = ""
    registry_marks = []
    # A stock through a single date has no line to draw: it gets a point instead.
    if len(counts) > 1 and registry.is_stock:
        steps = []
        for i, (day, count) in enumerate(counts):
            steps.append((x(day), y(count)))
            if i + 1 < len(counts):
                steps.append((x(counts[i + 1][0]), y(count)))
        registry_line = " ".join(f"{_n(px)},{_n(py)}" for px, py in steps)
    elif counts:
        registry_marks = [{"path": plus(x(day), y(count)), "count": count, "on": day} for day, count in counts]

    y_ticks = [{"y": y(value), "label": f"{value:,}"} for value in range(0, ceiling + 1, step)]
    x_ticks = [{"x": x(day), "label": label} for day, label in month_ticks(first, last)]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": top + plot_h,
        "tick_end": top + plot_h + 5,
        "label_x": left - 6,
        "label_y": top + plot_h + 20,
        "series": drawn,
        "registry": {
            "name": registry.name if registry else "",
            "colour": REGISTRY_COLOUR,
            "line": registry_line,
            "marks": registry_marks,
        }
        if counts
        else None,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "first": first,
        "last": last,
        "ceiling": ceiling,
    }


def _mark(claim, shape, x, y, top, bottom, dodge=0):
    start, end = x(claim.on), x(period_end(claim.on, claim.precision))
    # An imprecise date is drawn across its whole period, its shape in the middle.
    cx = round((start + end) / 2 + dodge, 1)
    cy = y(claim.value)
    mark = Mark(label=claim.label, deprecated=claim.is_deprecated, markers=[], hollow=claim.qualifier in NEAR)
    if end != start:
        mark.lines.append({"x1": start, "y1": cy, "x2": end, "y2": cy, "width": 3})
    if claim.qualifier == "range" and claim.upper_value is not None:
        upper = y(claim.upper_value)
        band_left = min(start, cx - RADIUS)
        band_right = max(end, cx + RADIUS)
        mark.band = {
            "x": band_left,
            "y": upper,
            "width": round(band_right - band_left, 1),
            "height": round(cy - upper, 1),
        }
        mark.markers = [marker(shape, cx, cy), marker(shape, cx, upper)]
    else:
        mark.markers = [marker(shape, cx, cy)]
    if claim.qualifier in LOWER_BOUNDS or claim.qualifier in UPPER_BOUNDS:
        # Up for "over": the true number is at least this high. Clamped to
        # the plot so a small "fewer than 5" does not point into the labels.
        if claim.qualifier in LOWER_BOUNDS:
            tip = max(cy - ARROW, top)
            wing = tip + 7
        else:
            tip = min(cy + ARROW, bottom)
            wing = tip - 7
        mark.lines.append({"x1": cx, "y1": cy, "x2": cx, "y2": round(tip, 1), "width": 2})
        mark.arrow = f"M{_n(cx - 5)},{_n(wing)}L{_n(cx)},{_n(tip)}L{_n(cx + 5)},{_n(wing)}"
    if claim.is_deprecated:
        mark.strike = f"M{_n(cx - 8)},{_n(cy + 8)}L{_n(cx + 8)},{_n(cy - 8)}"
    return mark


def draw(chart, title, chart_id="chart"):
    """The SVG of a chart from `layout`, with its title and a description of how to read it."""
    e = escape
    out = [
        f'<svg class="chart" viewBox="0 0 {chart["width"]} {chart["height"]}" role="img"'
        f' aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{e(chart_id)}-title">{e(title)}</title>',
        f'<desc id="{e(chart_id)}-desc">{e(description(chart))}</desc>',
        '<g class="axis" aria-hidden="true">',
    ]
    left, right, bottom = chart["left"], chart["right"], chart["bottom"]
    for tick in chart["y_ticks"]:
        out.append(f'<line x1="{left}" x2="{right}" y1="{tick["y"]}" y2="{tick["y"]}" class="grid"/>')
        out.append(f'<text x="{chart["label_x"]}" y="{tick["y"]}" class="tick tick-y">{e(tick["label"])}</text>')
    for tick in chart["x_ticks"]:
        out.append(
            f'<line x1="{tick["x"]}" x2="{tick["x"]}" y1="{bottom}" y2="{chart["tick_end"]}" class="axis-line"/>'
        )
        out.append(f'<text x="{tick["x"]}" y="{chart["label_y"]}" class="tick tick-x">{e(tick["label"])}</text>')
    out.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" class="axis-line"/></g>')
    registry = chart["registry"]
    if registry:
        name = e(registry["name"])
        out.append(f'<g class="registry" fill="none" stroke="{registry["colour"]}" stroke-width="2">')
        if registry["line"]:
            out.append(f'<polyline points="{registry["line"]}" stroke-dasharray="6 4"><title>{name}</title></polyline>')
        for mark in registry["marks"]:
            out.append(f'<path d="{mark["path"]}" stroke-width="2.5"><title>{name}: {mark["count"]}</title></path>')
        out.append("</g>")
    for series in chart["series"]:
        name = e(series["name"])
        out.append(f'<g class="series" fill="{series["colour"]}" stroke="{series["colour"]}">')
        for mark in series["marks"]:
            out.append(_draw_mark(mark, name))
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("\n".join(out))


def description(chart):
    """How to read the chart, in words: the <desc> a screen reader announces."""
    names = "; ".join(f"{series['name']} ({series['shape']})" for series in chart["series"])
    text = (
        "Each source’s reports over time, one shape and colour per organisation reporting"
        " (or per source, where no organisation is named)" + (f": {names}" if names else "") + "."
        " A filled shape is an exact value, a hollow one an approximate value; an arrow up marks a lower bound (“over”,"
        " hollow for “just over”), an arrow down an upper bound (“fewer than”, hollow for “almost”); a band is a range;"
        " a horizontal bar is a value known only to the"
        " month or the year; a struck-through shape is a deprecated figure."
    )
    if chart["registry"]:
        drawn = "a dashed step line" if chart["registry"]["line"] else "plus signs"
        text += f" Grey: {chart['registry']['name']}, {drawn}."
    return text + " The same data is in the table on this page."


def _draw_mark(mark, series_name):
    label = escape(mark.label) + (" (deprecated)" if mark.deprecated else "")
    out = [f'<g class="mark{" deprecated" if mark.deprecated else ""}"><title>{series_name}: {label}</title>']
    if mark.band:
        band = mark.band
        out.append(
            f'<rect x="{band["x"]}" y="{band["y"]}" width="{band["width"]}" height="{band["height"]}" fill-opacity="0.25" stroke-width="1"/>'
        )
    for line in mark.lines:
        out.append(
            f'<line x1="{line["x1"]}" y1="{line["y1"]}" x2="{line["x2"]}" y2="{line["y2"]}" stroke-width="{line["width"]}" stroke-linecap="round"/>'
        )
    if mark.arrow:
        out.append(f'<path d="{mark.arrow}" fill="none" stroke-width="2" stroke-linejoin="round"/>')
    fill = ' fill="#fff"' if mark.hollow else ""
    for path in mark.markers:
        out.append(f'<path d="{path}"{fill} stroke-width="2"/>')
    if mark.strike:
        out.append(f'<path d="{mark.strike}" stroke="#1d1d1f" stroke-width="2.5"/>')
    out.append("</g>")
    return "".join(out)
