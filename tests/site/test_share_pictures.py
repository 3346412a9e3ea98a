"""Share pictures: drawn in the brand's exact colours as small palette PNGs, and drawn once:
later builds take them from the cache until what they show changes."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO
from pathlib import Path

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
