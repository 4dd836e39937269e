"""The chart's geometry: claims drawn as honestly as they are worded."""

import datetime
import re
from xml.etree import ElementTree

import pytest

from events.charts import (
    Claim,
    Registry,
    Series,
    draw,
    layout,
    marker,
    month_ticks,
    nice_scale,
)
from tracker.dates import period_end

SVG = "{http://www.w3.org/2000/svg}"
DAY = datetime.date(2025, 12, 12)


def claim(value=100, on=DAY, qualifier="exact", upper_value=None, precision="day", deprecated=False):
    return Claim(
        on, precision, value, qualifier, upper_value, str(value), f"{value} as of {on}", is_deprecated=deprecated
    )


def only_mark(chart):
    [series] = chart["series"]
    [mark] = series["marks"]
    return mark


def centre(path):
    """The centre of a marker path, from its bounding box."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path)]
    if path.startswith("M") and "a" in path:  # a circle: M(cx - r),cy a...
        x, y, r = numbers[0], numbers[1], numbers[2]
        return x + r, y
    xs, ys = numbers[0::2], numbers[1::2]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def within_plot(chart, x, y):
    return chart["left"] <= x <= chart["right"] and chart["top"] <= y <= chart["bottom"]


def test_nothing_to_draw_is_no_chart():
    assert layout([]) is None
    assert layout([Series("Empty source")]) is None
    assert layout([], registry=[]) is None


def test_a_single_claim_is_centred_in_a_two_month_window():
    chart = layout([Series("Viasna", [claim(1200)])])
    x, y = centre(only_mark(chart).markers[0])
    assert chart["first"] == DAY - datetime.timedelta(days=30)
    assert chart["last"] == DAY + datetime.timedelta(days=30)
    assert abs(x - (chart["left"] + chart["right"]) / 2) < 1
    assert within_plot(chart, x, y)


def test_every_mark_stays_inside_the_plot():
    claims = [
        claim(5, datetime.date(2024, 1, 1), "fewer_than"),
        claim(1180, datetime.date(2024, 6, 1), "more_than"),
        claim(1000, datetime.date(2025, 1, 1), "range", upper_value=1250, precision="year"),
        claim(1200, datetime.date(2025, 12, 1), "approximately", precision="month"),
    ]
    chart = layout([Series("A", claims[:2]), Series("B", claims[2:])], registry=[(datetime.date(2024, 3, 1), 40)])
    assert chart["ceiling"] >= 1250
    for series in chart["series"]:
        for mark in series["marks"]:
            for path in mark.markers:
                assert within_plot(chart, *centre(path))
            for line in mark.lines:
                assert within_plot(chart, line["x1"], line["y1"]) and within_plot(chart, line["x2"], line["y2"])


def test_y_axis_starts_at_zero_and_ends_on_a_round_number_above_the_highest_value():
    chart = layout([Series("A", [claim(430), claim(1200, datetime.date(2025, 1, 1))])])
    labels = [tick["label"] for tick in chart["y_ticks"]]
    assert labels[0] == "0" and labels[-1] == "1,500"
    assert chart["y_ticks"][0]["y"] == chart["bottom"]
    assert chart["y_ticks"][-1]["y"] == chart["top"]


@pytest.mark.parametrize(
    "highest, expected",
    [
        (1, (1, 1)),
        (7, (8, 2)),
        (10, (10, 2)),
        (10.5, (15, 5)),
        (52, (60, 20)),
        (430, (500, 100)),
        (1200, (1500, 500)),
        (1250, (1500, 500)),
        (99999, (100000, 20000)),
    ],
)
def test_nice_scale(highest, expected):
    ceiling, step = nice_scale(highest)
    assert (ceiling, step) == expected
    assert ceiling >= highest and ceiling // step <= 5


def test_an_exact_value_is_filled_and_about_is_hollow():
    exact = only_mark(layout([Series("A", [claim(100)])]))
    about = only_mark(layout([Series("A", [claim(100, qualifier="approximately")])]))
    assert not exact.hollow and about.hollow
    assert not exact.arrow and not exact.lines


def test_over_points_up_and_fewer_than_points_down():
    chart = layout([Series("A", [claim(500, qualifier="more_than")])])
    over = only_mark(chart)
    _, cy = centre(over.markers[0])
    [stem] = over.lines
    assert stem["y2"] < cy  # up: the true number is at least this high
    assert over.arrow

    fewer = only_mark(layout([Series("A", [claim(500, qualifier="at_most")])]))
    _, cy = centre(fewer.markers[0])
    assert fewer.lines[0]["y2"] > cy


def test_almost_is_a_near_upper_bound_and_just_over_a_near_lower_bound():
    # "almost 1,200": below 1,200 and close to it: hollow (near), pointing down (a bound). "just over 430": up.
    almost = only_mark(layout([Series("A", [claim(1200, qualifier="almost")])]))
    _, cy = centre(almost.markers[0])
    assert almost.hollow and almost.arrow and almost.lines[0]["y2"] > cy
    over = only_mark(layout([Series("A", [claim(430, qualifier="just_over")])]))
    _, cy = centre(over.markers[0])
    assert over.hollow and over.arrow and over.lines[0]["y2"] < cy
    # The chart's description says how to read them.
    svg = draw(layout([Series("A", [claim(1200, qualifier="almost")])]), "Held")
    assert "hollow for “almost”" in svg and "hollow for “just over”" in svg


def test_an_upper_bound_near_zero_does_not_point_below_the_axis():
    chart = layout([Series("A", [claim(1000, datetime.date(2025, 1, 1)), claim(2, qualifier="fewer_than")])])
    mark = chart["series"][0]["marks"][1]
    assert mark.lines[0]["y2"] == chart["bottom"]


def test_a_range_is_a_band_from_its_lower_to_its_upper_value():
    chart = layout([Series("A", [claim(40, qualifier="range", upper_value=52)])])
    mark = only_mark(chart)
    lower, upper = (centre(path)[1] for path in mark.markers)
    assert mark.band["y"] == upper
    assert mark.band["y"] + mark.band["height"] == pytest.approx(lower, abs=0.1)
    assert upper < lower
    assert mark.band["width"] > 0


def test_a_month_is_a_bar_across_the_month_with_its_shape_in_the_middle():
    september = datetime.date(2025, 9, 1)
    chart = layout(
        [Series("A", [claim(52, september, precision="month")]), Series("B", [claim(52, datetime.date(2025, 12, 31))])]
    )
    mark = chart["series"][0]["marks"][0]
    [bar] = mark.lines
    day_width = (chart["right"] - chart["left"] - 32) / (chart["last"] - chart["first"]).days
    assert bar["x2"] - bar["x1"] == pytest.approx(29 * day_width, abs=0.2)  # 1 to 30 September
    x, _ = centre(mark.markers[0])
    # In the middle of the month (give or take the nudge that keeps two sources apart).
    assert abs(x - (bar["x1"] + bar["x2"]) / 2) <= 4


def test_a_year_is_a_bar_across_the_year():
    chart = layout([Series("A", [claim(430, datetime.date(2024, 1, 1), precision="year")])])
    [bar] = only_mark(chart).lines
    assert chart["first"] == datetime.date(2024, 1, 1)
    assert chart["last"] == datetime.date(2024, 12, 31)
    assert bar["x1"] == chart["x_ticks"][0]["x"]  # January 2024
    assert bar["x2"] > chart["right"] - 20


@pytest.mark.parametrize(
    "on, precision, end",
    [
        (datetime.date(2025, 9, 1), "month", datetime.date(2025, 9, 30)),
        (datetime.date(2024, 2, 1), "month", datetime.date(2024, 2, 29)),
        (datetime.date(2025, 12, 1), "month", datetime.date(2025, 12, 31)),
        (datetime.date(2025, 1, 1), "year", datetime.date(2025, 12, 31)),
        (datetime.date(2025, 9, 17), "day", datetime.date(2025, 9, 17)),
    ],
)
def test_period_end(on, precision, end):
    assert period_end(on, precision) == end


def test_a_deprecated_claim_is_marked_and_struck_through():
    mark = only_mark(layout([Series("A", [claim(5, deprecated=True)])]))
    assert mark.deprecated and mark.strike


def test_each_source_has_its_own_colour_and_shape():
    chart = layout([Series(name, [claim(100)]) for name in "ABCD"])
    assert len({s["colour"] for s in chart["series"]}) == 4
    assert [s["shape"] for s in chart["series"]] == ["circle", "square", "diamond", "triangle"]
    assert len({s["swatch"] for s in chart["series"]}) == 4


def test_sources_on_the_same_day_are_drawn_side_by_side():
    chart = layout([Series("A", [claim(1200)]), Series("B", [claim(1200)])])
    a, b = (centre(s["marks"][0].markers[0]) for s in chart["series"])
    assert a[1] == b[1] and a[0] != b[0]


def test_registry_of_a_stock_is_a_step_line():
    registry = [(datetime.date(2025, 1, 1), 10), (datetime.date(2025, 2, 1), 12), (datetime.date(2025, 3, 1), 11)]
    chart = layout([], registry=registry)
    points = chart["registry"]["line"].split()
    assert len(points) == 5  # a step: across, then up or down, at each change
    assert points[1].split(",")[1] == points[0].split(",")[1]
    assert not chart["registry"]["marks"]


def test_registry_of_a_single_date_or_per_period_is_points():
    one = layout([Series("A", [claim(100)])], registry=[(DAY, 3)])
    assert one["registry"]["line"] == "" and len(one["registry"]["marks"]) == 1
    flows = layout(
        [], registry=Registry("Named people released", [(DAY, 3), (datetime.date(2026, 1, 1), 4)], is_stock=False)
    )
    assert flows["registry"]["line"] == "" and [mark["count"] for mark in flows["registry"]["marks"]] == [3, 4]
    assert flows["registry"]["name"] == "Named people released"


@pytest.mark.parametrize(
    "first, last, labels",
    [
        (datetime.date(2025, 11, 12), datetime.date(2026, 1, 11), ["Dec 2025", "Jan 2026"]),
        (
            datetime.date(2025, 1, 15),
            datetime.date(2025, 12, 12),
            ["Mar 2025", "May 2025", "Jul 2025", "Sep 2025", "Nov 2025"],
        ),
        (datetime.date(2020, 3, 1), datetime.date(2025, 12, 12), ["2021", "2022", "2023", "2024", "2025"]),
        (
            datetime.date(1990, 1, 1),
            datetime.date(2025, 1, 1),
            ["1990", "1995", "2000", "2005", "2010", "2015", "2020", "2025"],
        ),
    ],
)
def test_month_ticks(first, last, labels):
    ticks = month_ticks(first, last)
    assert [label for _, label in ticks] == labels
    assert all(first <= day <= last for day, _ in ticks)


def test_marker_paths_are_centred():
    for shape in ("circle", "square", "diamond", "triangle"):
        x, y = centre(marker(shape, 100, 50))
        assert abs(x - 100) < 0.01 and abs(y - 50) < 2


def test_draws_well_formed_svg_with_title_desc_and_no_script():
    chart = layout(
        [Series("Viasna <report> & co", [claim(1200, qualifier="range", upper_value=1300), claim(5, deprecated=True)])],
        registry=[(DAY - datetime.timedelta(days=40), 3), (DAY, 4)],
    )
    svg = draw(chart, "Held <now>", "c1")
    root = ElementTree.fromstring(svg)  # well-formed: every name is escaped
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Held <now>"
    assert "Viasna <report> & co (circle)" in root.find(f"{SVG}desc").text
    assert root.find(f".//{SVG}polyline").get("stroke-dasharray")
    assert len(root.findall(f".//{SVG}rect")) == 1
    assert "<script" not in svg and "href" not in svg
    titles = [mark.find(f"{SVG}title").text for mark in root.iter(f"{SVG}g") if "mark" in mark.get("class", "").split()]
    assert titles == [
        f"Viasna <report> & co: {claim(1200).label}",
        f"Viasna <report> & co: {claim(5).label} (deprecated)",
    ]
    assert root.find(f".//{SVG}polyline/{SVG}title").text == "Named people held, in this database"


def test_drawn_marks_match_the_layout():
    chart = layout([Series("Viasna", [claim(1200, qualifier="approximately"), claim(40, qualifier="more_than")])])
    root = ElementTree.fromstring(draw(chart, "Held"))
    hollow, bound = [g for g in root.iter(f"{SVG}g") if g.get("class") == "mark"]
    assert [p.get("d") for p in hollow.findall(f"{SVG}path")] == chart["series"][0]["marks"][0].markers
    assert hollow.find(f"{SVG}path").get("fill") == "#fff"
    assert bound.find(f"{SVG}path[@fill='none']").get("d") == chart["series"][0]["marks"][1].arrow
    assert len(root.findall(f"{SVG}g[@class='axis']/{SVG}text")) == len(chart["y_ticks"]) + len(chart["x_ticks"])
