"""The Pelican generator: campaign pages, their assets and share pictures, the brands' email
logos, and the rules file.

Pelican hands it the settings; it reads content/ through passaparola_build.content (the same
loader and validation the functions' rules come from), so a bad campaign file stops the
build with its file, field and reason, and `pelican` exits non-zero.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any

import markdown
from babel.core import get_global
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from passaparola import i18n
from passaparola_build import content, site_policy
from passaparola_build.rules import compile_rules, write_rules
from passaparola_pages import assets, pages, widget
from passaparola_pages.share_image import HEIGHT, WIDTH, SharePictures

logger = logging.getLogger(__name__)

# Campaign copy is prose: tables, lists and the like, but not Pelican's `meta` extension,
# which would swallow a first line such as "Note: ...".
MARKDOWN_EXTENSIONS = ("extra", "sane_lists")


@dataclass(frozen=True)
class Site:
    """What every template may use besides its page."""

    url: str
    api_url: str
    csp: str
    script: str
    # The console's own script, and the chart library it draws with (vendored, see its README).
    admin_script: str
    chart_script: str
    chart_style: str
    looks: dict[str, assets.BrandLook]
    cards: dict[str, str]
    card_width: int = WIDTH
    card_height: int = HEIGHT

    def absolute(self, path: str) -> str:
        return self.url + path


def og_locale(lang: str) -> str:
    """it -> it_IT: Open Graph wants a territory, so take the language's likeliest one."""
    likely = str(get_global("likely_subtags").get(lang, lang))
    parts = likely.split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else lang


def api_url_setting(settings: dict[str, Any]) -> str:
    api_url = str(settings.get("PASSAPAROLA_API_URL") or "").rstrip("/")
    site_policy.api_origin(api_url)  # refuses a malformed URL before any page carries it
    return api_url


STAMP = ".passaparola-build"


def start_stamp(output: Path) -> int:
    """Mark the start of a build in `output`: its time, on the file system's own clock (which
    may run a tick behind Python's), is what tells this build's files from earlier ones."""
    output.mkdir(parents=True, exist_ok=True)
    stamp = output / STAMP
    stamp.write_bytes(b"")
    return stamp.stat().st_mtime_ns


def prune_stale(output: Path, since_ns: int, keep: Iterable[str] = ()) -> int:
    """Remove what an earlier build left in `output` and this one did not write again (a
    campaign since removed, an old fingerprinted file), then the folders left empty; names in
    `keep` at the top (Pelican's OUTPUT_RETENTION) stay. Every file of a build is written
    afresh, so rewriting the output in place and pruning it costs a fraction of emptying it
    first (Pelican's DELETE_OUTPUT_DIRECTORY) and making every folder again."""
    removed = 0
    kept = set(keep)
    for folder, _folders, files in os.walk(output, topdown=False):
        here = Path(folder)
        top = here == output
        if not top and here.relative_to(output).parts[0] in kept:
            continue
        staying = 0
        for name in files:
            file = here / name
            if (top and name in kept) or file.lstat().st_mtime_ns >= since_ns:
                staying += 1
                continue
            file.unlink()
            removed += 1
        if not top and not staying:
            with contextlib.suppress(OSError):
                here.rmdir()  # only when empty
    (output / STAMP).unlink(missing_ok=True)
    return removed


class CampaignPages:
    """Made by Pelican with the keyword arguments it gives every generator."""

    def __init__(
        self,
        context: dict[str, Any],
        settings: dict[str, Any],
        path: str,
        theme: str,
        output_path: str,
        **_: Any,
    ) -> None:
        self.context = context
        self.settings = settings
        self.content_root = Path(path)
        self.theme = Path(theme)
        self.output = Path(output_path)
        # Autoescaping on whatever Pelican's own settings say: no campaign word is ever HTML.
        self.env = Environment(
            loader=FileSystemLoader(self.theme / "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.content: content.Content | None = None
        self.pages: list[pages.Page] = []
        self.api_url = ""
        # site/pelicanconf.py leaves the output in place (DELETE_OUTPUT_DIRECTORY off): the
        # pages are written over it, and what this build did not write is pruned at its end.
        self.started_ns = start_stamp(self.output)

    def generate_context(self) -> None:
        """Read and check everything before a single file is written."""
        self.api_url = api_url_setting(self.settings)
        self.content = content.load(self.content_root)
        # One converter for every text (building one per call cost more than converting), and
        # each text converted once: campaigns often share their terms.
        converter = markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")

        @cache
        def to_html(text: str) -> str:
            return converter.reset().convert(text)

        self.pages = pages.site_pages(
            self.content,
            self.settings.get("PASSAPAROLA_BUILD_TIME") or datetime.now(UTC),
            to_html,
            self.settings.get("PASSAPAROLA_SITE_BRAND"),
        )

    def generate_output(self, writer: Any) -> None:
        assert self.content is not None, "Pelican calls generate_context first"
        loaded = self.content
        # Pelican's own cache setting (site/pelicanconf.py puts it under .build/). The pictures
        # missing from it are drawn while the pages are written.
        pictures = SharePictures(
            {
                page.card.name: (page.card, loaded.brands[page.card.brand].colours)
                for page in self.pages
                if page.card
            }.values(),
            Path(self.settings["CACHE_PATH"]) / "share-pictures",
            self.settings.get("PASSAPAROLA_SHARE_FONT"),
        )
        try:
            self._write_pages(writer, loaded, pictures)
        except BaseException:
            pictures.close(stop=True)
            raise
        pruned = prune_stale(self.output, self.started_ns, self.settings.get("OUTPUT_RETENTION", ()))
        logger.debug("%d files of an earlier build removed from %s", pruned, self.output)

    def _write_pages(self, writer: Any, loaded: content.Content, pictures: SharePictures) -> None:
        site = self._write_assets(loaded, pictures)
        for page in self.pages:
            writer.write_file(
                page.output,
                self.env.get_template(f"{page.kind}.html"),
                self.context,
                page=page,
                site=site,
                look=site.looks[page.brand],
                t=partial(i18n.text, page.lang),
                og_locale=og_locale,
            )
        invites = [page.campaign for page in self.pages if page.kind == "invite" and page.campaign]
        source = (self.theme / "static" / "widget.js").read_text(encoding="utf-8")
        data = widget.widget_data(invites, loaded, self.api_url)
        (self.output / widget.PATH).write_bytes(widget.widget_script(source, data))
        rules_path = self.settings.get("PASSAPAROLA_RULES_PATH")
        if rules_path:
            write_rules(compile_rules(loaded), Path(rules_path))
            logger.info("Campaign rules written to %s", rules_path)
        pictures.publish(self.output, assets.ASSETS)

    def _write_assets(self, loaded: content.Content, pictures: SharePictures) -> Site:
        """The stylesheet of each brand, the page scripts, the chart library and the share pictures."""
        static = self.theme / "static"
        chart = static / "vendor" / "uplot"
        theme_css = (static / "site.css").read_text(encoding="utf-8")
        looks = {
            slug: assets.brand_look(self.output, slug, brand, loaded.brand_dir(slug), theme_css)
            for slug, brand in loaded.brands.items()
        }
        for slug, brand in loaded.brands.items():
            assets.publish_email_image(self.output, slug, brand, loaded.brand_dir(slug))
        cards = {name: f"/{assets.ASSETS}/{pictures.published_name(name)}" for name in pictures.keys}
        return Site(
            url=str(self.settings.get("SITEURL") or "").rstrip("/"),
            api_url=self.api_url,
            csp=site_policy.meta_policy(self.api_url),
            script=assets.write_fingerprinted(self.output, "site.js", (static / "site.js").read_bytes()),
            admin_script=assets.write_fingerprinted(
                self.output, "admin.js", (static / "admin.js").read_bytes()
            ),
            chart_script=assets.write_vendored(self.output, chart / "uPlot.iife.min.js", chart / "LICENSE"),
            chart_style=assets.write_fingerprinted(
                self.output, "uPlot.css", (chart / "uPlot.min.css").read_bytes()
            ),
            looks=looks,
            cards=cards,
        )
