"""Pelican settings for building the site locally: `cd site && pelican`, or
`pelican -s site/pelicanconf.py` from the repository root, or `passaparola site`.

Pelican reads no content files itself here: the passaparola_pages plugin reads content/
through passaparola_build.content (the same loader the campaign rules come from) and writes every
page. The API's base URL is injected at build (PASSAPAROLA_API_URL, default: the site's own
origin), so the same content builds for the local stack and for AWS.
"""

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent

SITENAME = "passaparola"
SITEURL = os.environ.get("PASSAPAROLA_SITE_URL", "")
PATH = "../content"
OUTPUT_PATH = str(_HERE.parent / ".build" / "site")
THEME = "theme"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PLUGIN_PATHS = ["plugins"]
PLUGINS = ["passaparola_pages"]

PASSAPAROLA_API_URL = os.environ.get("PASSAPAROLA_API_URL", "")
# Build outputs go under .build/ (ignored by git), never into functions/.
PASSAPAROLA_RULES_PATH = str(_HERE.parent / ".build" / "rules.json")

# Everything Pelican would generate by itself is off: no articles, pages, feeds or archives,
# and the theme's files are fingerprinted and written by the plugin.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
THEME_STATIC_PATHS: list[str] = []
DIRECT_TEMPLATES: list[str] = []
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
# Pelican's content cache is off (it reads no content itself); the plugin keeps the share
# pictures it draws here, by a hash of what they show.
CACHE_PATH = str(_HERE.parent / ".build" / "cache")
# The plugin writes every page over the last build's and then removes what it did not write
# again: the same folder in the end as emptying it first, without removing and making again
# hundreds of folders (that took a third of a build on a busy machine).
DELETE_OUTPUT_DIRECTORY = False
