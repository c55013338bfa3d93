"""Orders and revenue per day as a PNG (Pillow, its built-in font): data in, bytes out.

The picture carries numbers and dates only, no words, so it reads the same in Arabic and
English; the localized caption of the photo says what is what.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 900, 560
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, GAP, AXIS = 70, 20, 20, 40, 28
BACKGROUND, GRID, INK = (255, 255, 255), (225, 228, 235), (60, 64, 72)
ORDERS, REVENUE = (66, 133, 244), (52, 168, 83)


def render(
    days: Sequence[date], orders: Sequence[int], revenue: Sequence[Decimal], currency: str
) -> bytes:
    """Top panel: orders per day (bars); bottom panel: revenue per day (bars)."""
    if not (len(days) == len(orders) == len(revenue)) or not days:
        raise ValueError("one value of each series per day, at least one day")
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(13)
    panel_height = (HEIGHT - MARGIN_TOP - GAP - 2 * AXIS) // 2
    top = MARGIN_TOP
    _panel(draw, font, top, panel_height, [Decimal(n) for n in orders], ORDERS, "")
    bottom = top + panel_height + AXIS + GAP
    _panel(draw, font, bottom, panel_height, list(revenue), REVENUE, f" {currency}")
    for y in (top + panel_height, bottom + panel_height):
        _dates(draw, font, days, y + 6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _panel(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    top: int,
    height: int,
    values: list[Decimal],
    color: tuple[int, int, int],
    unit: str,
) -> None:
    left, right, bottom = MARGIN_LEFT, WIDTH - MARGIN_RIGHT, top + height
    peak = max(max(values), Decimal(0))
    scale = _nice_ceiling(peak)
    for step in range(5):  # horizontal grid with its values
        y = bottom - height * step // 4
        draw.line([(left, y), (right, y)], fill=GRID)
        label = _label(scale * step / 4)
        draw.text((left - 6, y), label, fill=INK, font=font, anchor="rm")
    draw.text((left, top - 4), unit.strip(), fill=INK, font=font, anchor="lb")
    slot = (right - left) / len(values)
    bar = max(1, int(slot * 0.7))
    for index, value in enumerate(values):
        if value <= 0:
            continue
        bar_height = max(1, int(value * height / scale))
        x = int(left + index * slot + (slot - bar) / 2)
        draw.rectangle([(x, bottom - bar_height), (x + bar - 1, bottom)], fill=color)
    draw.line([(left, top), (left, bottom), (right, bottom)], fill=INK)


def _dates(
    draw: ImageDraw.ImageDraw,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
    days: Sequence[date],
    y: int,
) -> None:
    slot = (WIDTH - MARGIN_RIGHT - MARGIN_LEFT) / len(days)
    every = max(1, len(days) // 6)
    for index in range(len(days) - 1, -1, -every):  # always label the last day (today)
        x = MARGIN_LEFT + index * slot + slot / 2
        draw.text((x, y), days[index].strftime("%m-%d"), fill=INK, font=font, anchor="mt")


def _nice_ceiling(value: Decimal) -> Decimal:
    """The axis top: 1, 2 or 5 times a power of ten, at least the peak (and at least 1)."""
    if value <= 1:
        return Decimal(1)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * power:
            return factor * power
    return 10 * power


def _label(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
