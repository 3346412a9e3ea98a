"""The share panel: each channel a plain share URL of the network itself, well formed once the
page puts the personal link in, in the campaign's order and with the campaign's words."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import pytest

from passaparola_build import content
from passaparola_pages.share import PLACEHOLDER, share_href
from tests.site.helpers import SAMPLE, page

LINK = "https://api.acme-roasters.example/r/SPRING-7KQMX2R9P"
MESSAGE = "Here is 10% off & more: ça va?"
SUBJECT = "10% off your first bag"


def filled(href: str, link: str = LINK) -> str:
    """What the page script does: put the encoded personal link where PLACEHOLDER is."""
    assert href.count(PLACEHOLDER) == 1
    return href.replace(PLACEHOLDER, quote(link, safe=""))


def query(url: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), url
    return {name: values[0] for name, values in parsed.items()}


# For each channel: scheme, host and path of the share endpoint, and the query it must carry.
EXPECTED = {
    "email": (("mailto", "", ""), {"subject": SUBJECT, "body": f"{MESSAGE}\n\n{LINK}"}),
    "sms": (("sms", "", ""), {"body": f"{MESSAGE} {LINK}"}),
    "whatsapp": (("https", "wa.me", "/"), {"text": f"{MESSAGE} {LINK}"}),
    "telegram": (("https", "t.me", "/share/url"), {"url": LINK, "text": MESSAGE}),
    "x": (("https", "x.com", "/intent/tweet"), {"text": MESSAGE, "url": LINK}),
    "facebook": (("https", "www.facebook.com", "/sharer/sharer.php"), {"u": LINK}),
    "linkedin": (("https", "www.linkedin.com", "/sharing/share-offsite/"), {"url": LINK}),
}


@pytest.mark.unit
@pytest.mark.parametrize("channel", sorted(EXPECTED))
def test_each_channel_is_a_well_formed_share_url(channel):
    url = filled(share_href(channel, MESSAGE, SUBJECT))
    (scheme, host, path), carried = EXPECTED[channel]
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (scheme, host, path)
    assert query(url) == carried
    assert " " not in url and "\n" not in url


@pytest.mark.site
def test_the_buttons_follow_the_campaigns_channels_in_order(sample_site):
    for slug, campaign in content.load(SAMPLE).campaigns.items():
        panel = page(sample_site, f"/en/{slug}/").select_one("[data-share]")
        shown = []
        if panel.select_one("[data-copy]"):
            shown.append("copy")
        for item in panel.select("ul.channels > li"):
            if item.has_attr("data-native-share"):
                shown.append("native")
            elif item.select_one("[data-qr-toggle]"):
                shown.append("qr")
            else:
                shown.append(item.a["data-channel"])
        order = list(campaign.rules.channels)
        if "copy" in order:  # the copy button sits beside the link itself
            order.remove("copy")
            order.insert(0, "copy")
        assert shown == order, slug


@pytest.mark.site
@pytest.mark.parametrize("lang", ["en", "it", "fr", "pl", "ru"])
def test_the_links_carry_the_campaigns_own_words(sample_site, lang):
    copy = content.load(SAMPLE).campaigns["spring"].copies[lang]
    anchors = {
        a["data-channel"]: a
        for a in page(sample_site, f"/{lang}/spring/").select("[data-share] a[data-channel]")
    }
    assert set(anchors) == set(EXPECTED)
    for channel, anchor in anchors.items():
        url = filled(anchor["data-href"])
        carried = query(url)
        assert any(LINK in value for value in carried.values()), channel
        if channel in ("email", "sms", "whatsapp", "telegram", "x"):
            assert any(copy.share_message in value for value in carried.values()), channel
        if channel == "email":
            assert carried["subject"] == copy.email_subject
        web = urlsplit(url).scheme == "https"
        assert (anchor.get("target") == "_blank") is web, channel
        if web:
            assert anchor["rel"] == ["noopener", "noreferrer"]


@pytest.mark.site
def test_the_stats_page_holds_a_share_panel_for_every_campaign(sample_site):
    soup = page(sample_site, "/it/stats/")
    panels = {t["data-share-for"]: t for t in soup.select("template[data-share-for]")}
    assert set(panels) == {"spring", "club"}
    assert panels["spring"]["data-invite"] == "/it/spring/"
    assert panels["club"]["data-invite"] == "/en/club/", "club is only in English"


@pytest.mark.site
def test_the_qr_code_comes_from_the_api_and_can_be_downloaded(sample_site):
    panel = page(sample_site, "/en/spring/").select_one("[data-share]")
    image = panel.select_one("img[data-qr]")
    assert not image.has_attr("src"), "filled in from the API's answer"
    assert image["alt"] and image["width"] == image["height"]
    assert panel.select_one("a[data-qr-download]")["download"] == "spring-qr.svg"
