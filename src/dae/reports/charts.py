"""Charts as SVG drawn on the server from the computed table: the page shows them inline and the PDF embeds the
very same markup, so the printed chart is vector graphics and identical to the one on screen (never a
screenshot of a canvas). Pure Python, no Django; values arrive as ``Decimal`` (or None = no data).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

COLOURS = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545")
FONT = "font-family='Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif'"


def _nice_max(top: Decimal) -> Decimal:
    if top <= 0:
        return Decimal(1)
    exp = len(str(int(top))) - 1
    step = Decimal(10) ** exp
    for m in (1, 2, 2.5, 5, 10):
        cap = step * Decimal(str(m))
        if cap >= top:
            return cap
    return step * 10


def _fmt(v: Decimal) -> str:
    if abs(v) >= 100_000_000:
        return f"{v / 100_000_000:.1f}亿"
    if abs(v) >= 10_000:
        return f"{v / 10_000:.1f}万"
    return f"{v.normalize():f}" if v == v.to_integral() else f"{v:.1f}"


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], *, title: str = "",
              width: int = 640, height: int = 260, line: bool = False) -> str:
    """A bar (or line) chart of one or more series over ``labels``; missing values leave a gap."""
    left, right, top, bottom = 64, 16, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _n, vs in series for v in vs if v is not None]
    hi = _nice_max(max([Decimal(0), *values]))
    lo = min([Decimal(0), *values])
    lo = -_nice_max(-lo) if lo < 0 else Decimal(0)
    span = hi - lo or Decimal(1)

    def y(v: Decimal) -> float:
        return float(top + plot_h - (v - lo) / span * plot_h)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='{width}' "
             f"height='{height}' role='img' aria-label='{escape(title)}' {FONT} font-size='11'>"]
    if title:
        parts.append(f"<text x='{left}' y='16' font-size='13' font-weight='bold'>{escape(title)}</text>")
    for i in range(5):
        tick = lo + span * i / 4
        yy = y(tick)
        parts.append(f"<line x1='{left}' x2='{width - right}' y1='{yy:.1f}' y2='{yy:.1f}' stroke='#dee2e6'/>")
        parts.append(f"<text x='{left - 6}' y='{yy + 4:.1f}' text-anchor='end' fill='#6c757d'>{_fmt(tick)}</text>")
    n = max(len(labels), 1)
    slot = plot_w / n
    nser = max(len(series), 1)
    bar_w = slot * 0.7 / nser
    for s_index, (name, vs) in enumerate(series):
        colour = COLOURS[s_index % len(COLOURS)]
        points = []
        for i, v in enumerate(vs):
            if v is None:
                continue
            x = left + slot * i
            if line:
                points.append(f"{x + slot / 2:.1f},{y(v):.1f}")
            else:
                y0, y1 = y(max(v, Decimal(0))), y(min(v, Decimal(0)))
                parts.append(f"<rect x='{x + slot * 0.15 + bar_w * s_index:.1f}' y='{y0:.1f}' width='{bar_w:.1f}' "
                             f"height='{max(y1 - y0, 0.5):.1f}' fill='{colour}'><title>{escape(labels[i])} "
                             f"{escape(name)}: {v}</title></rect>")
        if line and points:
            parts.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{' '.join(points)}'/>")
        parts.append(f"<rect x='{width - right - 130}' y='{6 + 14 * s_index}' width='10' height='10' "
                     f"fill='{colour}'/><text x='{width - right - 116}' y='{15 + 14 * s_index}'>{escape(name)}</text>")
    step = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + slot * i + slot / 2
            parts.append(f"<text x='{x:.1f}' y='{height - bottom + 16}' text-anchor='middle' "
                         f"fill='#495057'>{escape(label)}</text>")
    parts.append("</svg>")
    return "".join(parts)
