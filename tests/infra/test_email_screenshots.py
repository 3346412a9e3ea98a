"""`passaparola screenshots emails`: the README's pictures come from the very messages the
functions send, drawn by Chromium, and anyone can draw them again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from passaparola_build.content import load
from passaparola_build.rules import compile_rules
from passaparola_tools import email_screenshots
from tests.support import ROOT


@pytest.mark.unit
def test_the_samples_are_the_three_emails_and_only_the_later_one_offers_an_unsubscribe():
    rules = compile_rules(load(ROOT / "content"))
    shots = email_screenshots.samples(rules, rules.campaigns["spring"], "it", "file:///site")
    assert [shot.file for shot in shots] == ["welcome.it.png", "friend-coupon.it.png", "reward-issued.it.png"]
    assert [shot.email.unsubscribe is not None for shot in shots] == [False, False, True]
    assert "una felpa Acme Roasters" in shots[2].email.text  # the milestone gift, in Italian words
    assert 'src="file:///site/email/acme/email-logo.png"' in shots[0].email.html


@pytest.mark.integration
@pytest.mark.browser
def test_the_command_draws_each_email_at_a_mail_clients_width(tmp_path: Path):
    # As anyone runs it: its own process (and Playwright's own event loop, whatever the tests run).
    command = [sys.executable, "-m", "passaparola_tools.cli", "screenshots", "emails", "--lang", "pl"]
    subprocess.run([*command, "--out", str(tmp_path)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    written = sorted(tmp_path.glob("*.png"))
    assert [file.name for file in written] == [
        "friend-coupon.pl.png",
        "reward-issued.pl.png",
        "welcome.pl.png",
    ]
    for file in written:
        with Image.open(file) as picture:
            width, height = picture.size
            # the logo loaded: its brown mark is drawn in the header band
            header = picture.convert("RGB").crop((20, 16, 200, 88))
            assert (138, 59, 18) in {colour for _, colour in header.getcolors(maxcolors=100_000) or []}
        assert width == email_screenshots.WIDTH and height > 400
