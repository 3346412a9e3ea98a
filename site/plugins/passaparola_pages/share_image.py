"""The picture that link previews show for a campaign page (Open Graph, Twitter cards).

Drawn at build with Pillow in the brand's colours, at 1200 x 630, the size both networks
recommend. The words are the page's own, so each language gets its own picture; the font
must cover Latin and Cyrillic, hence DejaVu Sans (or another full font on the machine).
"""

from __future__ import annotations

import logging
from functools import cache
from io import BytesIO
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from passaparola.content import Colours
from passaparola_pages.views import ShareCard

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BAND = 110  # the accent band along the bottom, with the store's address in it
Weight = Literal["bold", "regular"]
FONTS: dict[Weight, tuple[str, ...]] = {
    "bold": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
    "regular": ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def font(size: int, weight: Weight = "bold", chosen: str | None = None) -> Font:
    """A font by name, found the way Pillow looks (the system's font folders included)."""
    for name in (chosen,) if chosen else FONTS[weight]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    if chosen:
        raise OSError(f"PASSAPAROLA_SHARE_FONT: cannot open the font {chosen!r}")
    logger.warning("no TrueType font found (%s); share pictures use Pillow's own", ", ".join(FONTS[weight]))
    return ImageFont.load_default(size)


def wrap(text: str, face: Font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; the last line ends in an ellipsis when the text does not fit."""
    lines: list[str] = []
    for word in text.split():
        if lines and face.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        last = " ".join(lines[max_lines - 1 :])
        while last and face.getlength(last + "…") > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def _fit(
    text: str, sizes: tuple[int, ...], max_lines: int, weight: Weight, chosen: str | None
) -> tuple[int, Font, list[str]]:
    """The largest size at which `text` fits in `max_lines`, else the smallest, cut short."""
    width = WIDTH - 2 * MARGIN
    for size in sizes:
        face = font(size, weight, chosen)
        lines = wrap(text, face, width, max_lines + 1)
        if len(lines) <= max_lines:
            return size, face, lines
    face = font(sizes[-1], weight, chosen)
    return sizes[-1], face, wrap(text, face, width, max_lines)


def draw_card(card: ShareCard, colours: Colours, chosen_font: str | None = None) -> bytes:
    """The card as PNG bytes: brand name, heading, a line or two of text, the store's address."""
    image = Image.new("RGB", (WIDTH, HEIGHT), colours.background)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, WIDTH, 18), fill=colours.primary)
    pen.rectangle((0, HEIGHT - BAND, WIDTH, HEIGHT), fill=colours.accent or colours.primary)
    pen.text((MARGIN, 64), card.eyebrow, font=font(40, "bold", chosen_font), fill=colours.primary)
    size, heading, lines = _fit(card.heading, (76, 68, 60, 52), 3, "bold", chosen_font)
    y = 140
    for line in lines:
        pen.text((MARGIN, y), line, font=heading, fill=colours.text)
        y += int(size * 1.2)
    size, body, lines = _fit(card.text, (36, 32, 28), 2, "regular", chosen_font)
    y += 20
    for line in lines:
        if y + size > HEIGHT - BAND - 20:
            break
        pen.text((MARGIN, y), line, font=body, fill=colours.text)
        y += int(size * 1.3)
    footer = font(32, "bold", chosen_font)
    band_colour = colours.text if colours.accent else colours.on_primary
    pen.text((MARGIN, HEIGHT - BAND // 2), card.footer, font=footer, fill=band_colour, anchor="lm")
    buffer = BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
