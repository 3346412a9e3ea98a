"""The picture that link previews show for a campaign page (Open Graph, Twitter cards).

Drawn at build with Pillow in the brand's colours, at 1200 x 630, the size both networks
recommend. The words are the page's own, so each language gets its own picture; the font
must cover Latin and Cyrillic, hence DejaVu Sans (or another full font on the machine).

Encoding took most of the time at first (an RGB PNG with optimize=True: 50 ms a picture,
93% of a 600-page build). A card holds only its few colours and, at the edges of its
letters, blends of each text colour into its ground, so it is drawn straight into a palette
image of those blends (85 steps each) and stored with a run-length deflate (its grounds are
long runs of one index): about 6 ms in all, the brand's colours exact, and 32 KB instead of
48. Pictures are also kept in a cache folder under a hash of everything they show, and
redrawn only when that changes.

With an empty cache a site of a few hundred pages still has hundreds of pictures to draw, so
a build (SharePictures) draws the missing ones in worker processes across the machine's
cores while it writes the pages. A picture's published name carries that same hash, which
settles its bytes, so the pages can link to it before it is drawn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import multiprocessing.process
import os
import zlib
from collections.abc import Iterable
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont

from passaparola.domain.campaign import BrandColours
from passaparola_pages.views import ShareCard

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BAND = 110  # the accent band along the bottom, with the store's address in it
HEADING_TOP = 140  # above it, the brand's name; below, the heading and text
Weight = Literal["bold", "regular"]
FONTS: dict[Weight, tuple[str, ...]] = {
    "bold": ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
    "regular": ("DejaVuSans.ttf", "NotoSans-Regular.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Rgb = tuple[int, int, int]
# Below this many pictures to draw per worker, starting worker processes costs more than it saves.
PICTURES_PER_WORKER = 16


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


# Within this many pixels of the width, a line is measured whole rather than word by word.
WRAP_SLACK = 4
_widths: dict[tuple[Font, str], float] = {}


def _width(face: Font, text: str) -> float:
    """Measuring is a third of drawing a card, and cards share most of their words."""
    found = _widths.get((face, text))
    if found is None:
        found = _widths[face, text] = face.getlength(text)
    return found


def wrap(text: str, face: Font, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap; the last line ends in an ellipsis when the text does not fit. A line's
    width is its words' and spaces' added up, and measured whole only when that comes within
    WRAP_SLACK pixels of the width (kerning across a space is a pixel or two at most)."""
    lines: list[str] = []
    widths: list[float] = []
    space = _width(face, " ")
    for word in text.split():
        measured = _width(face, word)
        if lines:
            joined = f"{lines[-1]} {word}"
            added = widths[-1] + space + measured
            if added <= width - WRAP_SLACK or (
                added <= width + WRAP_SLACK and face.getlength(joined) <= width
            ):
                lines[-1], widths[-1] = joined, added
                continue
        lines.append(word)
        widths.append(measured)
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


def draw_card(card: ShareCard, colours: BrandColours, chosen_font: str | None = None) -> bytes:
    """The card as PNG bytes: brand name, heading, a line or two of text, the store's address."""
    buffer = BytesIO()
    render(card, colours, chosen_font).save(buffer, "PNG", compress_level=6, compress_type=zlib.Z_RLE)
    return buffer.getvalue()


def ink(colours: BrandColours) -> list[tuple[Rgb, Rgb]]:
    """The colour each of the card's three rows draws in, and the colour it draws on: the top
    bar and the brand's name, the heading and text, the store's address on the bottom band."""
    if colours.accent:
        band, band_text = colours.accent, colours.text
    else:
        band, band_text = colours.primary, colours.on_primary
    pairs = [(colours.primary, colours.background), (colours.text, colours.background), (band_text, band)]
    return [(_rgb(fore), _rgb(ground)) for fore, ground in pairs]


ROWS = ((0, HEADING_TOP), (HEADING_TOP, HEIGHT - BAND), (HEIGHT - BAND, HEIGHT))
STEPS = 256 // len(ROWS)  # palette entries per row: its ground, its ink and the blends between


def render(card: ShareCard, colours: BrandColours, chosen_font: str | None = None) -> Image.Image:
    """A palette image whose colours are blends(ink(colours)). Each row of the card has one
    ink on one ground, at palette indices row * STEPS (the ground) to row * STEPS + STEPS - 1
    (the ink); the card is drawn straight in those indices, each row's ground filled with its
    first and its words with its last, so that Pillow's anti-aliasing lands each edge pixel on
    the blend of its coverage: the brand's colours exact, and no search for the nearest colour."""
    indices = Image.new("L", (WIDTH, HEIGHT))
    pen = ImageDraw.Draw(indices)
    for row, (top, bottom) in enumerate(ROWS):
        if row:
            pen.rectangle((0, top, WIDTH, bottom - 1), fill=row * STEPS)
    inked = [row * STEPS + STEPS - 1 for row in range(len(ROWS))]
    pen.rectangle((0, 0, WIDTH, 18), fill=inked[0])
    pen.text((MARGIN, 64), card.eyebrow, font=font(40, "bold", chosen_font), fill=inked[0])
    size, heading, lines = _fit(card.heading, (76, 68, 60, 52), 3, "bold", chosen_font)
    y = HEADING_TOP
    for line in lines:
        pen.text((MARGIN, y), line, font=heading, fill=inked[1])
        y += int(size * 1.2)
    size, body, lines = _fit(card.text, (36, 32, 28), 2, "regular", chosen_font)
    y += 20
    for line in lines:
        if y + size > HEIGHT - BAND - 20:
            break
        pen.text((MARGIN, y), line, font=body, fill=inked[1])
        y += int(size * 1.3)
    address = font(32, "bold", chosen_font)
    pen.text((MARGIN, HEIGHT - BAND // 2), card.footer, font=address, fill=inked[2], anchor="lm")
    indices.putpalette(_palette(tuple(ink(colours))))  # L becomes P: the indices stay
    return indices


@cache
def _palette(inks: tuple[tuple[Rgb, Rgb], ...]) -> bytes:
    return bytes(channel for colour in blends(list(inks)) for channel in colour)


def _rgb(hex_colour: str) -> Rgb:
    value = ImageColor.getrgb(hex_colour)
    return value[0], value[1], value[2]


def blends(inks: list[tuple[Rgb, Rgb]]) -> list[Rgb]:
    """The palette: each ink blended into its ground in equal steps, both ends included."""
    return [_mix(fore, ground, n / (STEPS - 1)) for fore, ground in inks for n in range(STEPS)]


def _mix(fore: Rgb, ground: Rgb, share: float) -> Rgb:
    red, green, blue = (round(g + (f - g) * share) for f, g in zip(fore, ground, strict=True))
    return red, green, blue


@cache
def _drawing_code() -> str:
    """This module's own source: a change to how cards are drawn redraws every one."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def fingerprint(card: ShareCard, colours: BrandColours, chosen_font: str | None = None) -> str:
    """A hash of what the picture shows: its words, the colours, the font files, and the code
    and Pillow version that draw it. The card's name and brand slug are not shown."""
    fonts = [getattr(font(40, weight, chosen_font), "path", "pillow-default") for weight in FONTS]
    shown = {
        "words": [card.eyebrow, card.heading, card.text, card.footer],
        "colours": colours.model_dump(),
        "fonts": [str(path) for path in fonts],
        "drawing": _drawing_code(),
        "pillow": PIL.__version__,
    }
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def card_picture(
    card: ShareCard, colours: BrandColours, cache_dir: Path, chosen_font: str | None = None
) -> bytes:
    """The card's PNG from the cache, or drawn and put there (whole or not at all, so a build
    stopped halfway leaves no broken picture for the next one)."""
    cached = cache_dir / f"{fingerprint(card, colours, chosen_font)}.png"
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    picture = draw_card(card, colours, chosen_font)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
    partial.write_bytes(picture)
    partial.replace(cached)
    return picture


def _draw_shared(
    jobs: list[tuple[ShareCard, BrandColours]], taken: Any, cache_dir: Path, chosen_font: str | None
) -> None:
    """Draw into the cache the jobs no one has taken yet, one at a time, until none is left.
    `taken` is a shared counter: the workers and the build itself take from it, with no thread
    of the build's needed to hand out work (its own thread is busy writing pages)."""
    while True:
        with taken.get_lock():
            number = taken.value
            taken.value += 1
        if number >= len(jobs):
            return
        card, colours = jobs[number]
        card_picture(card, colours, cache_dir, chosen_font)


class SharePictures:
    """The share pictures of one build. Made with every card of the site, it starts drawing
    the ones missing from the cache (in worker processes when there are many); `published_name`
    is known at once, and `publish` writes the pictures into the site once they are drawn.
    Cards that show the same thing are drawn once."""

    def __init__(
        self,
        cards: Iterable[tuple[ShareCard, BrandColours]],
        cache_dir: Path,
        chosen_font: str | None = None,
        workers: int | None = None,
    ) -> None:
        self.cache_dir = cache_dir
        self.keys: dict[str, str] = {}
        missing: dict[str, tuple[ShareCard, BrandColours]] = {}
        for card, colours in cards:
            key = self.keys[card.name] = fingerprint(card, colours, chosen_font)
            if key not in missing and not self._cached(key).is_file():
                missing[key] = (card, colours)
        self._jobs, self._font = list(missing.values()), chosen_font
        # Forked workers inherit the jobs; without fork (not on Linux) the build draws alone.
        fork = "fork" in multiprocessing.get_all_start_methods()
        count = min(workers or os.cpu_count() or 1, len(missing) // PICTURES_PER_WORKER) if fork else 0
        self._taken: Any = None
        self._workers: list[multiprocessing.process.BaseProcess] = []
        if count > 1:
            context = multiprocessing.get_context("fork")
            self._taken = context.Value("l", 0)
            arguments = (self._jobs, self._taken, cache_dir, chosen_font)
            self._workers = [context.Process(target=_draw_shared, args=arguments) for _ in range(count)]
            for worker in self._workers:
                worker.start()
        else:
            for card, colours in self._jobs:
                card_picture(card, colours, cache_dir, chosen_font)

    def _cached(self, key: str) -> Path:
        return self.cache_dir / f"{key}.png"

    def published_name(self, card_name: str) -> str:
        """assets/<card>.<hash of what it shows>.png, as assets.write_fingerprinted names files."""
        return f"{card_name}.{self.keys[card_name][:10]}.png"

    def publish(self, output: Path, folder: str) -> None:
        """Write every picture into output/folder/. The pages written, the build draws the
        pictures no worker has taken yet, rather than wait, and then those of a worker that
        failed."""
        try:
            if self._taken is not None:
                _draw_shared(self._jobs, self._taken, self.cache_dir, self._font)
            self.close()
            target = output / folder
            target.mkdir(parents=True, exist_ok=True)
            for name, key in self.keys.items():
                try:
                    picture = self._cached(key).read_bytes()
                except FileNotFoundError:  # a worker stopped halfway
                    job = next(job for job in self._jobs if fingerprint(*job, self._font) == key)
                    picture = card_picture(*job, self.cache_dir, self._font)
                (target / self.published_name(name)).write_bytes(picture)
        finally:
            self.close()

    def close(self, stop: bool = False) -> None:
        """Wait for the workers (each stops when no picture is left to take), or with `stop`
        (a build that failed halfway) stop them at once. Pictures drawn stay in the cache."""
        for worker in self._workers:
            if stop:
                worker.terminate()
            worker.join()
        self._workers = []
