"""Server-side SVG charts: valid XML, accessible, values drawn to scale, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dashboards.charts import bar_chart, line_chart, nice_max

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def title_of(root: ET.Element) -> str:
    title = root.find("svg:title", NS)
    assert title is not None
    return title.text or ""


@pytest.mark.parametrize(
    "svg",
    [
        line_chart(title="Tỷ lệ dự họp", labels=["01/2026", "02/2026"], values=[80, None]),
        bar_chart(title="Việc quá hạn", labels=["01/2026", "02/2026"], values=[0, 3]),
        bar_chart(title="Tiến độ", labels=["Chi bộ 1"], values=[None], max_value=100, unit="%", horizontal=True),
        line_chart(title="Empty", labels=[], values=[]),
    ],
)
def test_every_chart_is_an_accessible_svg(svg: str) -> None:
    root = parse(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert title_of(root)
    labelled_by = root.get("aria-labelledby", "").split()
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    assert labelled_by
    assert set(labelled_by) <= ids
    assert "<script" not in svg
    assert "@import" not in svg
    assert "url(" not in svg


def test_text_is_escaped() -> None:
    svg = bar_chart(title='<b>"A & B"</b>', labels=["<script>x</script>"], values=[1])
    root = parse(svg)
    assert title_of(root) == '<b>"A & B"</b>'
    assert "<script>" not in svg


def test_bars_are_drawn_to_scale() -> None:
    root = parse(bar_chart(title="t", labels=["a", "b", "c"], values=[0, 50, 100], max_value=100))
    heights = [float(rect.attrib["height"]) for rect in root.iterfind(".//svg:rect", NS)]
    assert heights[0] == 0
    assert heights[1] == pytest.approx(heights[2] / 2, abs=0.1)
    bottoms = {round(float(r.attrib["y"]) + float(r.attrib["height"]), 1) for r in root.iterfind(".//svg:rect", NS)}
    assert len(bottoms) == 1  # every bar stands on the same axis


def test_horizontal_bars_are_drawn_to_scale_and_labelled() -> None:
    root = parse(bar_chart(title="t", labels=["a", "b"], values=[25, 100], max_value=100, unit="%", horizontal=True))
    widths = [float(rect.attrib["width"]) for rect in root.iterfind(".//svg:rect", NS)]
    assert widths[0] == pytest.approx(widths[1] / 4, abs=0.1)
    texts = [t.text for t in root.iterfind(".//svg:text", NS)]
    assert "25%" in texts
    assert "100%" in texts
    assert "a" in texts


def test_bar_axis_top_is_a_round_number_above_the_largest_value() -> None:
    root = parse(bar_chart(title="t", labels=["a", "b"], values=[3, 12]))
    texts = [t.text for t in root.iterfind(".//svg:text", NS)]
    assert "20" in texts  # the axis runs to 20
    heights = [float(rect.attrib["height"]) for rect in root.iterfind(".//svg:rect", NS)]
    assert heights[0] / heights[1] == pytest.approx(3 / 12, abs=0.01)


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (12, 20), (50, 50), (51, 100), (730, 1000)])
def test_nice_max(value: float, top: float) -> None:
    assert nice_max(value) == top


def test_line_points_are_drawn_to_scale_and_a_gap_breaks_the_line() -> None:
    root = parse(line_chart(title="t", labels=["a", "b", "c", "d"], values=[100, 0, None, 50]))
    points = root.findall(".//svg:circle", NS)
    assert len(points) == 3  # no point for the missing month
    ys = [float(p.attrib["cy"]) for p in points]
    top, bottom, middle = ys
    assert top < middle < bottom
    assert middle == pytest.approx((top + bottom) / 2, abs=0.1)
    path = root.find(".//svg:path", NS)
    assert path is not None
    d = path.attrib["d"]
    assert d.count("M") == 2  # the line starts again after the gap
    texts = [t.text for t in root.iterfind(".//svg:text", NS)]
    assert "—" in texts
    assert "50%" in texts


def test_count_axes_have_whole_number_ticks() -> None:
    root = parse(bar_chart(title="t", labels=["a", "b"], values=[1, 3]))
    ticks = [t.text for t in root.iterfind(".//svg:text[@aria-hidden='true']", NS)]
    assert ticks == ["0", "1", "2", "3", "4", "5"]
