"""Building the site in this process: Pelican with site/pelicanconf.py, so the local stack
(`passaparola serve`) and `passaparola site` get the very build a plain `pelican` run makes.

Errors in content/ come out as passaparola_build.content.ContentError, with every problem's file,
field and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings

from passaparola_build import paths

SETTINGS = paths.ROOT / "site" / "pelicanconf.py"
PLUGIN = "passaparola_pages"


class SiteBuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class BuiltSite:
    output: Path
    pages: int


def build_site(
    output: Path,
    *,
    api_url: str = "",
    site_url: str = "",
    content: Path | None = None,
    rules_path: Path | None = None,
    cache: Path | None = None,
) -> BuiltSite:
    """Build the pages into `output` (what an earlier build left there and this one does not
    write is removed). `api_url` "" means the API answers on
    the site's own origin; `rules_path`, when given, also receives the compiled rules; `cache`
    replaces the settings' folder of share pictures already drawn."""
    overrides: dict[str, Any] = {
        "OUTPUT_PATH": str(output.resolve()),
        "SITEURL": site_url.rstrip("/"),
        "PASSAPAROLA_API_URL": api_url,
        "PASSAPAROLA_RULES_PATH": str(rules_path) if rules_path else None,
    }
    if content is not None:
        overrides["PATH"] = str(content.resolve())
    if cache is not None:
        overrides["CACHE_PATH"] = str(cache.resolve())
    settings = read_settings(str(SETTINGS), override=overrides)
    pelican = Pelican(settings)
    # Pelican logs a plugin that fails to import and carries on without it: an empty site.
    if PLUGIN not in pelican.settings["PLUGINS"]:
        raise SiteBuildError(f"the {PLUGIN} plugin did not load (see the log above)")
    pelican.run()
    return BuiltSite(output, sum(1 for _ in output.rglob("index.html")))
