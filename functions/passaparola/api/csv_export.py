"""CSV answers for the business's lists: asked for with ?format=csv or Accept: text/csv.

A cell that begins with =, +, -, @, a tab or a carriage return is prefixed with an apostrophe:
spreadsheets run such cells as formulas, and names and addresses here are typed by anyone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from aws_lambda_powertools.event_handler import Response

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wanted(format_: str | None, accept: str | None) -> bool:
    return format_ == "csv" or (format_ is None and "text/csv" in (accept or "").lower())


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def answer(text: str, filename: str, next_cursor: str | None = None) -> Response[str]:
    headers = {
        "Cache-Control": "no-store, private",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    if next_cursor:
        headers["Next-Cursor"] = next_cursor  # a CSV has no room for it; pass it as ?cursor=
    return Response(200, "text/csv; charset=utf-8", text, headers)
