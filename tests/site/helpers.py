"""Building the site for a test, and reading what it wrote."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from pelican import Pelican
from pelican.settings import read_settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "site" / "pelicanconf.py"
SAMPLE = ROOT / "content"
# Campaign dates are judged at build time; tests pin the moment.
BUILD_TIME = datetime(2026, 11, 20, 12, tzinfo=UTC)
# The Pelican cache folder (its share-pictures/) that the session's builds share, so that a
# picture is drawn once per session, not once per build; tests/site/conftest.py sets it. A
# test that must see pictures drawn passes a CACHE_PATH of its own.
SHARED_CACHE = "PASSAPAROLA_TEST_SHARED_CACHE"


def run_pelican(content: Path, output: Path, **settings: Any) -> Path:
    """A real Pelican run of site/pelicanconf.py, as pelican-plugins test their plugins."""
    overrides = {
        "PATH": str(content),
        "OUTPUT_PATH": str(output),
        "PASSAPAROLA_RULES_PATH": None,
        "PASSAPAROLA_BUILD_TIME": BUILD_TIME,
        "CACHE_PATH": os.environ.get(SHARED_CACHE) or str(output.parent / "cache"),
    } | settings
    Pelican(settings=read_settings(str(SETTINGS), override=overrides)).run()
    return output


def page(site: Path, path: str) -> BeautifulSoup:
    """The page at a site path such as /en/spring/."""
    return BeautifulSoup((site / path.lstrip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


def site_paths_built(site: Path) -> dict[str, BeautifulSoup]:
    """Every page the build wrote, by its path on the site."""
    found = {}
    for file in sorted(site.rglob("index.html")):
        folder = file.parent.relative_to(site).as_posix()
        path = "/" if folder == "." else f"/{folder}/"
        found[path] = BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")
    return found


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")
