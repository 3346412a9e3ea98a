"""Accessibility the build can prove: labelled fields, native controls reachable by keyboard,
a visible focus ring, text alternatives, and WCAG AA contrast for every colour pair in use."""

from __future__ import annotations

import random
import re

import pytest
from coloraide import Color

from passaparola_build import content
from passaparola_build.content import READABLE_PAIRS, WCAG_AA_TEXT
from tests.site.helpers import ROOT, SAMPLE, site_paths_built

CSS = (ROOT / "site" / "theme" / "static" / "site.css").read_text()


@pytest.mark.site
def test_every_form_field_has_a_label_and_every_button_words(sample_site):
    for path, soup in site_paths_built(sample_site).items():
        for field in soup.select("input, select, textarea"):
            assert soup.select_one(f"label[for='{field['id']}']"), f"{path}: #{field['id']} has no label"
        for control in soup.select("button, a"):
            name = control.get_text(strip=True) or " ".join(img["alt"] for img in control.select("img"))
            assert name.strip(), f"{path}: a control without an accessible name"


@pytest.mark.site
def test_controls_are_native_and_in_document_order(sample_site):
    for path, soup in site_paths_built(sample_site).items():
        for scripted in soup.select("[data-copy], [data-qr-toggle], [data-share-text]"):
            assert scripted.name == "button" and scripted["type"] == "button", path
        for focusable in soup.select("[tabindex]"):
            assert int(focusable["tabindex"]) <= 0, f"{path}: a positive tabindex reorders the keyboard"
        assert soup.select_one("a.skip")["href"] == "#main" and soup.select_one("main#main"), path
        for image in soup.select("img"):
            assert image.has_attr("alt"), path


@pytest.mark.unit
def test_focus_is_always_visible():
    assert ":focus-visible{outline:3px solid var(--text);outline-offset:3px}" in CSS
    # Only elements the script moves focus to (never controls) drop the ring.
    for rule in re.findall(r"([^{}]+)\{[^}]*outline:none", CSS):
        assert rule.strip() in ("main:focus", ".panel-title:focus"), rule


@pytest.mark.unit
def test_the_sample_brand_reads_at_wcag_aa_in_every_pair_the_theme_uses():
    colours = content.load(SAMPLE).brands["acme"].colours
    for fore, back in READABLE_PAIRS:
        ratio = Color(getattr(colours, fore)).contrast(getattr(colours, back), method="wcag21")
        assert ratio >= WCAG_AA_TEXT, (fore, back, ratio)


@pytest.mark.unit
def test_the_theme_has_no_colours_of_its_own_but_the_qr_codes_white():
    """Every colour in the stylesheet is one of the brand's, so the brand's checks cover it."""
    literal = re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", CSS)
    assert literal == ["#fff"], "only the QR code's quiet zone, which scanners need white"
    used = set(re.findall(r"var\(--([a-z-]+)\)", CSS))
    assert used == {"primary", "on-primary", "background", "text", "accent"}


@pytest.mark.unit
def test_the_builds_contrast_ratio_is_wcag_21s_as_a_colour_library_computes_it():
    picks = random.Random(23)
    for _ in range(500):
        fore, back = (f"#{picks.randrange(1 << 24):06x}" for _ in range(2))
        ours = content.contrast(fore, back)
        assert ours == pytest.approx(Color(fore).contrast(back, method="wcag21"), abs=1e-9)
