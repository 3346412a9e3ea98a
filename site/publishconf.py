"""Pelican settings for the production build: the local settings, plus the public URLs.

    PASSAPAROLA_SITE_URL=https://refer.example.com \\
    PASSAPAROLA_API_URL=https://abc123.execute-api.eu-west-1.amazonaws.com \\
    pelican -s site/publishconf.py
"""

import os
import sys
from pathlib import Path

# Pelican's own convention, made independent of the directory it is run from.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from pelicanconf import *  # noqa: F403

# Absolute URLs go into canonical, hreflang and Open Graph links, which crawlers need whole.
SITEURL = os.environ.get("PASSAPAROLA_SITE_URL", "").rstrip("/")
if not SITEURL.startswith("https://"):
    raise SystemExit("publishconf: set PASSAPAROLA_SITE_URL to the site's https:// address")
RELATIVE_URLS = False
