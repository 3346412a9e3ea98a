"""Share pictures: drawn in the brand's exact colours as small palette PNGs, and drawn once:
later builds take them from the cache until what they show changes."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from passaparola.domain.campaign import BrandColours
from passaparola_build import content
from passaparola_pages import share_image
from passaparola_pages.views import ShareCard
from tests.site.helpers import SAMPLE, edit, page, run_pelican

CARD = ShareCard(
    "spring.ru.landing",
    "acme",
    "Acme Roasters",
    "Подарите друзьям скидку 10% на первую пачку",
    "Your first bag of Acme coffee, 10% off. Roasted on Tuesday, at your door by Friday.",
    "shop.acme-roasters.example",
)


@pytest.fixture(scope="module")
def colours() -> BrandColours:
    return content.load(SAMPLE).brands["acme"].colours


def _og_image(site: Path, path: str) -> bytes:
    image = page(site, path).select_one("meta[property='og:image']")["content"]
    return (site / image.lstrip("/")).read_bytes()


@pytest.mark.unit
def test_a_picture_is_a_palette_png_in_the_brands_exact_colours_with_smooth_edges(colours):
    with Image.open(BytesIO(share_image.draw_card(CARD, colours))) as stored:
        assert (stored.format, stored.mode, stored.size) == ("PNG", "P", (1200, 630))
        rgb = stored.convert("RGB")
    (primary, background), (text, _), (address, band) = share_image.ink(colours)
    assert rgb.getpixel((600, 5)) == primary  # the top bar
    assert rgb.getpixel((1190, 300)) == background
    assert rgb.getpixel((1190, 600)) == band
    heading = rgb.crop((0, share_image.HEADING_TOP, 1200, 400))
    shades = {colour for _, colour in heading.getcolors(65536)}
    assert text in shades and background in shades
    assert len(shades) > 40  # the letters' edges are blended, not jagged
    footer = {colour for _, colour in rgb.crop((0, 630 - share_image.BAND, 1200, 630)).getcolors(65536)}
    assert address in footer


@pytest.mark.unit
def test_the_cache_key_is_what_the_picture_shows(colours):
    same_words_elsewhere = replace(CARD, name="club.ru.landing", brand="other")
    assert share_image.fingerprint(same_words_elsewhere, colours) == share_image.fingerprint(CARD, colours)
    other_heading = replace(CARD, heading="Подарите друзьям скидку 15%")
    assert share_image.fingerprint(other_heading, colours) != share_image.fingerprint(CARD, colours)
    darker = colours.model_copy(update={"text": "#000000"})
    assert share_image.fingerprint(CARD, darker) != share_image.fingerprint(CARD, colours)


@pytest.mark.site
def test_a_picture_is_drawn_once_then_taken_from_the_cache_until_its_words_change(tree, tmp_path):
    cache = tmp_path / "cache"
    run_pelican(tree, tmp_path / "first", CACHE_PATH=str(cache))
    drawn = sorted((cache / "share-pictures").glob("*.png"))
    assert len(drawn) == 12  # spring in 5 languages and club in 1, an invite and a landing card each
    # Mark every cached picture: a later build that publishes a marked one did not redraw it.
    for picture in drawn:
        picture.write_bytes(picture.read_bytes() + b"from the cache")

    second = run_pelican(tree, tmp_path / "second", CACHE_PATH=str(cache))
    assert _og_image(second, "/en/spring/").endswith(b"from the cache")
    assert _og_image(second, "/ru/spring/welcome/").endswith(b"from the cache")

    edit(tree / "campaigns" / "spring.md", "title: Give 10%, get 10 €", "title: Give 10%, get 12 €")
    third = run_pelican(tree, tmp_path / "third", CACHE_PATH=str(cache))
    assert not _og_image(third, "/en/spring/").endswith(b"from the cache")  # redrawn
    assert _og_image(third, "/it/spring/").endswith(b"from the cache")  # its words did not change
    assert len(list((cache / "share-pictures").glob("*.png"))) == 13


def _draw_into(cache: str, start: Any) -> None:
    start.wait()
    share_image.card_picture(CARD, content.load(SAMPLE).brands["acme"].colours, Path(cache))


@pytest.mark.unit
def test_two_processes_drawing_the_same_picture_at_once_leave_it_whole(colours, tmp_path):
    """The tests' builds share one cache, and pytest-xdist may run them in processes side by side."""
    context = multiprocessing.get_context()
    start = context.Barrier(2)
    workers = [context.Process(target=_draw_into, args=(str(tmp_path), start)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [p.name for p in tmp_path.iterdir()] == [f"{share_image.fingerprint(CARD, colours)}.png"]
    assert next(tmp_path.iterdir()).read_bytes() == share_image.draw_card(CARD, colours)


@pytest.mark.unit
def test_many_missing_pictures_are_drawn_by_workers_and_published_under_the_hash_of_what_they_show(
    colours, tmp_path, monkeypatch
):
    monkeypatch.setattr(share_image, "PICTURES_PER_WORKER", 1)
    cards = [replace(CARD, name=f"c{n}", heading=f"{n} · {CARD.heading}") for n in range(4)]
    twin = replace(cards[0], name="twin")  # shows the same as c0: drawn once
    pictures = share_image.SharePictures(
        [(c, colours) for c in [*cards, twin]], tmp_path / "cache", workers=2
    )
    assert len(pictures._workers) == 2
    pictures.publish(tmp_path / "site", "assets")
    assert not pictures._workers
    for card in cards:
        key = share_image.fingerprint(card, colours)
        assert pictures.published_name(card.name) == f"{card.name}.{key[:10]}.png"
        published = (tmp_path / "site" / "assets" / pictures.published_name(card.name)).read_bytes()
        assert published == (tmp_path / "cache" / f"{key}.png").read_bytes()
        assert published == share_image.draw_card(card, colours)
    assert len(list((tmp_path / "cache").iterdir())) == 4


@pytest.mark.site
def test_the_sessions_builds_share_one_picture_cache(sample_site, shared_picture_cache):
    drawn = {p.read_bytes() for p in (shared_picture_cache / "share-pictures").glob("*.png")}
    published = {p.read_bytes() for p in (sample_site / "assets").glob("*.png")}
    assert published & drawn


@pytest.mark.unit
@pytest.mark.parametrize("width", [1040, 700, 333])
def test_lines_break_where_measuring_each_whole_line_breaks_them(width):
    def measured_whole(text: str, face: share_image.Font) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and face.getlength(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines

    for text in (CARD.heading, CARD.text, "Donnez 10 %, recevez 10 € : un café offert à vos amis"):
        for size in (76, 52, 36, 28):
            face = share_image.font(size)
            assert share_image.wrap(text, face, width, 99) == measured_whole(text, face)
