"""Small, dependency-free SVG charts for the pages: lines over time (with an optional band) and bars.

The workspace renders charts on the server as inline SVG: nothing to download in the browser,
readable without JavaScript, and testable as text. Every chart carries a ``<title>`` and a
``<desc>`` listing its numbers, so a screen reader (and a test) gets the data, not only a picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

PALETTE = ("#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563")
WIDTH, HEIGHT = 640, 240
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 12, 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # None: no data that period (a gap in the line)
    band: tuple[Sequence[float], Sequence[float]] | None = None  # (low, high), e.g. a forecast interval
    dashed: bool = False
    color: str = ""  # defaults to the palette, in series order


@dataclass(frozen=True)
class Bar:
    label: str
    parts: dict[str, float] = field(default_factory=dict)  # stacked: part name -> value


def _fmt(value: float, percent: bool) -> str:
    return f"{value * 100:.0f}%" if percent else (f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}")


def _scale(low: float, high: float, size: float, *, invert: bool = False):  # type: ignore[no-untyped-def]
    span = (high - low) or 1.0

    def to_px(value: float) -> float:
        frac = (value - low) / span
        return round(size * (1 - frac) if invert else size * frac, 1)

    return to_px


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    percent: bool = False,
    y_min: float | None = 0.0,
    test_id: str = "chart",
) -> str:
    """A line chart of ``series`` over ``labels`` (e.g. ISO weeks) as an inline ``<svg>`` string."""
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    values = [v for s in series for v in s.values if v is not None]
    values += [v for s in series if s.band for side in s.band for v in side]
    low = min([*values, y_min]) if y_min is not None and values else min(values, default=0.0)
    high = max(values, default=1.0)
    if high <= low:
        high = low + (1.0 if not percent else 0.1)
    y = _scale(low, high, plot_h, invert=True)
    count = max(len(labels), 1)
    x = _scale(0, max(count - 1, 1), plot_w)
    parts = [_open(title, test_id), _axes(low, high, y, percent, plot_w)]
    step = max(1, count // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == count - 1:
            parts.append(
                f'<text x="{PAD_LEFT + x(i)}" y="{HEIGHT - PAD_BOTTOM + 16}" text-anchor="middle" '
                f'class="tick">{escape(label)}</text>'
            )
    legend_x = PAD_LEFT
    for n, s in enumerate(series):
        color = s.color or PALETTE[n % len(PALETTE)]
        if s.band:
            lows, highs = s.band
            upper = [f"{PAD_LEFT + x(i)},{PAD_TOP + y(v)}" for i, v in enumerate(highs)]
            lower = [f"{PAD_LEFT + x(i)},{PAD_TOP + y(v)}" for i, v in reversed(list(enumerate(lows)))]
            parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{color}" opacity="0.15"/>')
        for segment in _segments(s.values):
            points = " ".join(f"{PAD_LEFT + x(i)},{PAD_TOP + y(v)}" for i, v in segment)
            dash = ' stroke-dasharray="5 3"' if s.dashed else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        parts.append(
            f'<rect x="{legend_x}" y="{HEIGHT - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{legend_x + 14}" y="{HEIGHT - 5}" class="legend">{escape(s.name)}</text>'
        )
        legend_x += 24 + 7 * len(s.name)
    desc = "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{lab} {_fmt(v, percent)}" for lab, v in zip(labels, s.values, strict=False) if v is not None
        )
        for s in series
    )
    parts.append(f"<desc>{escape(desc)}</desc></svg>")
    return "".join(parts)


def bar_chart(
    title: str,
    bars: Sequence[Bar],
    *,
    part_order: Sequence[str],
    colors: Sequence[str] = PALETTE,
    test_id: str = "chart",
) -> str:
    """Horizontal stacked bars (e.g. an aspect's negative, neutral and positive mentions)."""
    row_h = 22
    height = PAD_TOP + row_h * max(len(bars), 1) + 28
    label_w = 140
    plot_w = WIDTH - label_w - PAD_RIGHT - 40
    most = max((sum(b.parts.values()) for b in bars), default=0) or 1
    parts = [_open(title, test_id, height)]
    for row, bar in enumerate(bars):
        top = PAD_TOP + row * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{top + 14}" text-anchor="end" class="tick">'
            f"{escape(bar.label)}</text>"
        )
        left = float(label_w)
        for n, name in enumerate(part_order):
            value = bar.parts.get(name, 0)
            if value <= 0:
                continue
            width = round(plot_w * value / most, 1)
            color = colors[n % len(colors)]
            parts.append(
                f'<rect x="{left}" y="{top + 3}" width="{width}" height="{row_h - 6}" fill="{color}">'
                f"<title>{escape(bar.label)}: {escape(name)} {value:g}</title></rect>"
            )
            left += width
        parts.append(f'<text x="{left + 4}" y="{top + 14}" class="tick">{sum(bar.parts.values()):g}</text>')
    legend_x = label_w
    for n, name in enumerate(part_order):
        color = colors[n % len(colors)]
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
            f'<text x="{legend_x + 14}" y="{height - 5}" class="legend">{escape(name)}</text>'
        )
        legend_x += 24 + 7 * len(name)
    desc = "; ".join(
        f"{b.label}: " + ", ".join(f"{k} {b.parts.get(k, 0):g}" for k in part_order) for b in bars
    )
    parts.append(f"<desc>{escape(desc)}</desc></svg>")
    return "".join(parts)


def _open(title: str, test_id: str, height: int = HEIGHT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'class="chart" data-testid="{escape(test_id)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>"
    )


def _axes(low: float, high: float, y, percent: bool, plot_w: float) -> str:  # type: ignore[no-untyped-def]
    out = []
    for i in range(5):
        value = low + (high - low) * i / 4
        top = PAD_TOP + y(value)
        out.append(
            f'<line x1="{PAD_LEFT}" x2="{PAD_LEFT + plot_w}" y1="{top}" y2="{top}" class="gridline"/>'
            f'<text x="{PAD_LEFT - 6}" y="{top + 4}" text-anchor="end" class="tick">'
            f"{_fmt(value, percent)}</text>"
        )
    return "".join(out)


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values: a missing period breaks the line instead of faking it."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, value))
    return [run for run in runs if run]
