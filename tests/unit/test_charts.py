"""The inline SVG charts: the numbers are in the chart's description, a missing week breaks the line
instead of being drawn as zero, labels are escaped, and an empty chart still renders."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from shopops.charts import Bar, Series, bar_chart, line_chart


def test_line_chart_describes_its_numbers_and_breaks_at_gaps() -> None:
    svg = line_chart(
        "Negative share <weekly>",
        ["W1", "W2", "W3", "W4"],
        [
            Series("leak & lid", [0.1, None, 0.3, 0.25]),
            Series("price", [0.5, 0.5, 0.6, 0.7], band=([0.4] * 4, [0.8] * 4)),
        ],
        percent=True,
        test_id="t",
    )
    root = ET.fromstring(svg)  # well-formed: labels are escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Negative share <weekly>"
    desc = root.find(f"{ns}desc").text
    assert "leak & lid: W1 10%, W3 30%, W4 25%" in desc and "W2" not in desc.split(";")[0]
    assert len(root.findall(f"{ns}polyline")) == 3  # the gap splits the first series in two
    assert len(root.findall(f"{ns}polygon")) == 1  # the interval band
    assert 'data-testid="t"' in svg


def test_bar_chart_stacks_parts_in_order_and_handles_no_bars() -> None:
    svg = bar_chart(
        "Mentions",
        [Bar("leak", {"negative": 3, "positive": 1})],
        part_order=["negative", "neutral", "positive"],
    )
    desc = re.search(r"<desc>(.*)</desc>", svg).group(1)
    assert desc == "leak: negative 3, neutral 0, positive 1"
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="16"', svg)]
    assert len(widths) == 2 and abs(widths[0] - 3 * widths[1]) < 0.2
    ET.fromstring(bar_chart("empty", [], part_order=["a"]))
    ET.fromstring(line_chart("empty", [], []))
