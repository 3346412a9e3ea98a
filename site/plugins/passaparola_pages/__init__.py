"""passaparola's Pelican plugin: the referral pages of every campaign in content/.

Enable it the Pelican way, by name, from the settings (site/pelicanconf.py):

    PLUGIN_PATHS = ["plugins"]
    PLUGINS = ["passaparola_pages"]

Settings it reads (all optional):
    PASSAPAROLA_API_URL      the API's base URL; "" (default) means the site's own origin
    PASSAPAROLA_RULES_PATH   where to write the compiled campaign rules the functions read
    PASSAPAROLA_SITE_BRAND   the brand of the index and stats pages (default: the most used)
    PASSAPAROLA_SHARE_FONT   a TrueType font for the share pictures (default: DejaVu Sans Bold)
    PASSAPAROLA_BUILD_TIME   the moment campaign dates are judged at (default: now)

and Pelican's own CACHE_PATH: the share pictures are kept in its share-pictures/ folder.
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from passaparola_pages.generator import CampaignPages


def _generators(_pelican: Any) -> type[CampaignPages]:
    return CampaignPages


def register() -> None:
    # A module-level receiver: connecting it again (one Pelican run after another in the
    # same process) is a no-op, and blinker holds it strongly.
    signals.get_generators.connect(_generators)
