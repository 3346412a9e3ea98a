"""QR codes of personal links, made by segno, as data URIs the pages put in an <img>."""

from __future__ import annotations


def data_uri(url: str) -> str:
    import segno  # deferred: only the functions that show a personal link pay for the import

    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=2, omitsize=True))
