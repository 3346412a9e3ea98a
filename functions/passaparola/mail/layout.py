"""How an email is laid out: the blocks it is made of, set in the brand's colours under its
logo as HTML, and as plain text, with the footer every email has (mail/catalogue.py says what
each email says)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from passaparola import i18n
from passaparola.domain.campaign import BrandColours, BrandContact
from passaparola.domain.mail import Email, Unsubscribe

# --- blocks an email is made of -------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    words: str


@dataclass(frozen=True)
class Button:
    """A call to action: its label says where it goes, so it reads well out of context."""

    label: str
    url: str


@dataclass(frozen=True)
class Address:
    """A link meant to be seen and copied whole, such as the personal link to share."""

    url: str


@dataclass(frozen=True)
class Code:
    """A code to type in (a coupon), set apart so it is easy to find and copy."""

    label: str
    code: str


Block = Paragraph | Button | Address | Code


@dataclass(frozen=True)
class Letterhead:
    """Who an email comes from: the brand, and the site its logo is published on."""

    brand: BrandContact
    site_url: str

    @property
    def logo_url(self) -> str | None:
        logo = self.brand.letterhead_logo
        return f"{self.site_url.rstrip('/')}{logo.path}" if logo else None


# --- layout ----------------------------------------------------------------------------------


def compose(
    *,
    to: str,
    lang: str,
    letterhead: Letterhead,
    subject: str,
    blocks: Sequence[Block],
    unsubscribe: Unsubscribe | None = None,
    about: str | None = None,
    because: tuple[str, str] | None = None,
) -> Email:
    """An email from its blocks, with the brand's header and the footer every email has (and,
    with `unsubscribe`, the way to stop such email about `about`, the campaign's title).
    `because` replaces the two sentences that say why the person gets it (the address was
    entered on the referral page; they take part in the campaign), for one that is not so."""
    brand = letterhead.brand
    footer: list[Block] = [
        Paragraph(i18n.text(lang, "email.signature", brand=brand.name)),
    ]
    why = because[0] if because else i18n.text(lang, "email.privacy", brand=brand.name)
    fine_print = [why, i18n.text(lang, "email.questions", contact=brand.contact)]
    stop = None
    if unsubscribe is not None:
        if not about:
            raise ValueError("an email that offers to unsubscribe says from what")
        stop = (
            because[1] if because else i18n.text(lang, "email.unsubscribe", campaign=about),
            i18n.text(lang, "email.unsubscribe.link"),
            unsubscribe.page_url,
        )
    return Email(
        to=to,
        subject=subject,
        text=_text([*blocks, *footer], fine_print, stop),
        html=_html(lang, subject, letterhead, [*blocks, *footer], fine_print, stop),
        lang=lang,
        sender_name=brand.name,
        reply_to=brand.contact,
        unsubscribe=unsubscribe,
    )


Stop = tuple[str, str, str] | None  # (why you get this, the link's words, the page's URL)


def _text(blocks: Sequence[Block], fine_print: Sequence[str], stop: Stop) -> str:
    parts = []
    for block in blocks:
        match block:
            case Paragraph(words):
                parts.append(words)
            # A label on its line and what it labels on the next: no punctuation between them,
            # which is not the same in every language (French puts a space before a colon).
            case Button(label, value) | Code(label, value):
                parts.append(f"{label}\n{value}")
            case Address(url):
                parts.append(url)
    parts.append("-- \n" + "\n".join(fine_print))
    if stop is not None:
        why, label, url = stop
        parts.append(f"{why}\n{label}\n{url}")
    return "\n\n".join(parts) + "\n"


def _html(
    lang: str,
    subject: str,
    letterhead: Letterhead,
    blocks: Sequence[Block],
    fine_print: Sequence[str],
    stop: Stop,
) -> str:
    """Table layout and inline styles, which every mail client renders; text in the brand's
    colours, in the pairs the build checked for contrast (text and links on the background,
    text on the accent, button text on the primary colour). Nothing is said only by an image:
    the logo has the brand's name as its alternative text, and the email reads whole without it."""
    brand, c = letterhead.brand, letterhead.brand.colours
    a = escape  # everything that is not our own markup
    body = "\n".join(_block_html(block, c) for block in blocks)
    small = f"margin:0 0 8px;font-size:14px;line-height:1.5;color:{c.text}"
    link = f"color:{c.primary};text-decoration:underline"
    fine = "\n".join(f'<p style="{small}">{_linked(line, brand.contact, link)}</p>' for line in fine_print)
    if stop is not None:
        why, label, url = stop
        fine += f'\n<p style="{small}">{a(why)} <a href="{a(url)}" style="{link}">{a(label)}</a></p>'
    heading = f"margin:0;font-size:20px;font-weight:bold;color:{c.text}"
    logo = brand.letterhead_logo
    if letterhead.logo_url and logo:
        masthead = (
            f'<img src="{a(letterhead.logo_url)}" width="{logo.width}" height="{logo.height}" '
            f'alt="{a(brand.name)}" style="display:block;border:0;max-width:100%;{heading}">'
        )
    else:
        masthead = f'<p style="{heading}">{a(brand.name)}</p>'
    font = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
    table = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"'
    return f"""<!doctype html>
<html lang="{a(lang)}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{a(subject)}</title>
</head>
<body style="margin:0;padding:0;background:{c.background};color:{c.text};{font}">
<table {table} style="background:{c.background}">
<tr><td align="center" style="padding:16px 8px">
<table {table} style="max-width:600px">
<tr><td style="background:{c.panel};padding:16px 24px;border-radius:8px 8px 0 0">{masthead}</td></tr>
<tr><td style="padding:24px;font-size:16px;line-height:1.5;color:{c.text};{font}">
{body}
</td></tr>
<tr><td style="padding:16px 24px 24px;border-top:2px solid {c.panel};{font}">
{fine}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""


def _block_html(block: Block, c: BrandColours) -> str:
    a = escape
    paragraph = f"margin:0 0 16px;color:{c.text}"
    match block:
        case Paragraph(words):
            return f'<p style="{paragraph}">{a(words)}</p>'
        case Button(label, url):
            button = (
                f"display:inline-block;padding:12px 20px;background:{c.primary};color:{c.on_primary};"
                "border-radius:6px;font-weight:bold;text-decoration:none"
            )
            return f'<p style="margin:0 0 24px"><a href="{a(url)}" style="{button}">{a(label)}</a></p>'
        case Address(url):
            link = f"color:{c.primary};text-decoration:underline;font-weight:bold"
            shown = f'<a href="{a(url)}" style="{link}">{a(url)}</a>'
            return f'<p style="{paragraph};word-break:break-all">{shown}</p>'
        case Code(label, code):
            box = (
                f"margin:0 0 16px;padding:12px 16px;background:{c.panel};color:{c.text};"
                "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:22px;font-weight:bold;"
                "letter-spacing:1px;border-radius:6px"
            )
            return f'<p style="margin:0 0 8px;color:{c.text}">{a(label)}</p><p style="{box}">{a(code)}</p>'
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover - the union is closed


def _linked(line: str, contact: str, style: str) -> str:
    """A sentence of the fine print, its contact address as a mailto link."""
    escaped, address = escape(line), escape(contact)
    return escaped.replace(address, f'<a href="mailto:{address}" style="{style}">{address}</a>', 1)
