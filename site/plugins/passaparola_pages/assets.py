"""The files pages load: one stylesheet per brand, the page script, and brand images.

Names carry a hash of the content (site.3f2a9c01e4.js), so a CDN and browsers may keep them
for a year and a new build is still seen at once. Small brand images are inlined as data:
URIs instead: for a logo of a few hundred bytes a request costs more than the bytes.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from passaparola import site_paths
from passaparola_build.content import Brand

INLINE_UP_TO = 4096  # bytes
ASSETS = "assets"


@dataclass(frozen=True)
class BrandLook:
    """A brand as the templates use it: its file's fields and where its files ended up."""

    slug: str
    brand: Brand
    stylesheet: str
    logo: str | None
    favicon: str | None
    favicon_type: str | None


def write_fingerprinted(output: Path, name: str, data: bytes) -> str:
    """Write `data` as assets/<stem>.<hash><suffix>; return its path on the site."""
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.sha256(data).hexdigest()[:10]
    relative = f"{ASSETS}/{stem}.{digest}{dot}{suffix}"
    target = output / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return f"/{relative}"


def write_vendored(output: Path, file: Path, licence: Path) -> str:
    """A library someone else wrote, fingerprinted like our own files, with its licence beside
    it (assets/<name>.LICENSE.txt, not fingerprinted, so it can be found)."""
    published = write_fingerprinted(output, file.name, file.read_bytes())
    (output / ASSETS / f"{file.name}.LICENSE.txt").write_bytes(licence.read_bytes())
    return published


def brand_stylesheet(brand: Brand, theme_css: str) -> str:
    """The theme's stylesheet, preceded by the brand's colours as custom properties."""
    colours = brand.colours
    palette = {
        "primary": colours.primary,
        "on-primary": colours.on_primary,
        "background": colours.background,
        "text": colours.text,
        # Without an accent, panels sit on the page colour; text contrast is checked for both.
        "accent": colours.panel,
    }
    properties = ";".join(f"--{name}:{value}" for name, value in palette.items())
    return f":root{{{properties}}}\n{theme_css}"


def image_source(output: Path, file: Path, brand_slug: str) -> str:
    """A data: URI for a small image, else the path of a fingerprinted copy."""
    data = file.read_bytes()
    if len(data) > INLINE_UP_TO:
        return write_fingerprinted(output, f"{brand_slug}-{file.name}", data)
    kind = media_type(file)
    if kind == "image/svg+xml":
        return f"data:{kind}," + quote(data.decode("utf-8").strip(), safe="/:=;,'()")
    return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


def media_type(file: Path) -> str:
    kind, _ = mimetypes.guess_type(file.name)
    return kind or "application/octet-stream"


def brand_look(output: Path, slug: str, brand: Brand, brand_dir: Path, theme_css: str) -> BrandLook:
    css = brand_stylesheet(brand, theme_css).encode()
    favicon = brand_dir / brand.favicon if brand.favicon else None
    return BrandLook(
        slug=slug,
        brand=brand,
        stylesheet=write_fingerprinted(output, f"{slug}.css", css),
        logo=image_source(output, brand_dir / brand.logo, slug) if brand.logo else None,
        favicon=image_source(output, favicon, slug) if favicon else None,
        favicon_type=media_type(favicon) if favicon else None,
    )


def publish_email_image(output: Path, slug: str, brand: Brand, brand_dir: Path) -> None:
    """The logo emails show, at the address the rules give them (site_paths.email_image): not
    fingerprinted, so emails already sent keep finding it."""
    if brand.email_image:
        target = output / site_paths.email_image(slug, brand.email_image).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((brand_dir / brand.email_image).read_bytes())
