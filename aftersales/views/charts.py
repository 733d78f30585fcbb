"""Small inline SVG charts for the HTML reports: plain bars with their values written on them,
so they read in black and white and on paper. Text is escaped; numbers come from the report data."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR = "#4a4a4a"
FRAME = "#999999"
FONT = 'font-family="sans-serif" font-size="11"'


def hbars(items: Sequence[tuple[str, float | None, str]], width: int = 520, scale: float | None = None,
          title: str = "") -> Markup:
    """Horizontal bars: (label, value or None, text shown after the bar)."""
    row, label_w = 22, 150
    height = row * len(items) + 24
    top = max([v for _, v, _ in items if v is not None] + [scale or 0, 1e-9])
    span = width - label_w - 70
    parts = [_open(width, height, title)]
    for i, (label, value, text) in enumerate(items):
        y = 20 + i * row
        parts.append(f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end" {FONT}>{escape(label)}</text>')
        length = 0 if value is None else round(span * value / top, 1)
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{length}" height="14" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + length + 5}" y="{y + 13}" {FONT}>{escape(text)}</text>')
    parts.append(f'<line x1="{label_w}" y1="16" x2="{label_w}" y2="{height - 4}" stroke="{FRAME}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def vbars(items: Sequence[tuple[str, int]], width: int = 620, height: int = 180, title: str = "",
          every: int = 1) -> Markup:
    """Vertical bars (label, count); every `every`-th label is written under its bar."""
    n = max(len(items), 1)
    left, bottom = 30, 30
    slot = (width - left - 10) / n
    top = max([v for _, v in items] + [1])
    usable = height - bottom - 20
    parts = [_open(width, height, title)]
    for i, (label, value) in enumerate(items):
        x = left + i * slot
        h = round(usable * value / top, 1)
        y = height - bottom - h
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{y}" width="{slot * 0.7:.1f}" height="{h}" fill="{BAR}"/>')
        if value:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{y - 3}" text-anchor="middle" {FONT}>{value}</text>')
        if i % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                         f'{FONT}>{escape(label)}</text>')
    base = height - bottom
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="{FRAME}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _open(width: int, height: int, title: str) -> str:
    label = f' aria-label="{escape(title)}"' if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"{label}><title>{escape(title)}</title>')
