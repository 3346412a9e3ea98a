"""`passaparola screenshots console`: the console at a phone's and a desktop's width, for the
README.

It starts the local stack with the demo programme (`serve --demo`: the same seeding), signs in
as the brand's first admin by the link the outbox receives, and lets Debian's Chromium draw
the page once the report, the rewards to give and the reviews are in.
"""

from __future__ import annotations

import html
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from passaparola.domain.campaign import Rules
from passaparola_build import paths
from passaparola_localstack import demo
from passaparola_localstack.serve import LocalStack
from passaparola_tools import chromium

DOCS = paths.ROOT / "docs" / "console"
LANGS = ("en",)
CAMPAIGN = "spring"  # the demo's campaign with two variants
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
_SIGN_IN_LINK = re.compile(r'href="([^"]*#signin=[^"]*)"')


def _sign_in_link(local: LocalStack, admin: str, lang: str) -> str:
    """Ask for a link as the page does, and take it from the email the outbox received."""
    assert local.gateway is not None
    body = json.dumps({"email": admin, "locale": lang}).encode()
    answer = local.gateway.http(
        "POST", "/admin/sign-in", headers={"content-type": "application/json"}, body=body
    )
    assert answer.status == 202, answer.body
    for mail in local.outbox():  # the newest first
        found = _SIGN_IN_LINK.search(mail["html"]) if mail["to"] == [admin] else None
        if found:
            return html.unescape(found.group(1))
    raise RuntimeError(f"no sign-in email reached {admin}")


def render(out: Path = DOCS, langs: Iterable[str] = LANGS, content: Path = paths.CONTENT) -> list[Path]:
    """Write console.<width>.<lang>.png for each width and language into `out`."""
    from playwright.sync_api import expect, sync_playwright  # a dev dependency, for this command alone

    chromium.ensure()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="passaparola-console-") as folder:
        local = LocalStack(port=0, content=content, state_dir=Path(folder), release_every=1)
        local.bind()
        try:
            local.build()
            local.start_aws()
            local.start_functions()
            local.start_serving()
            demo.seed(local)
            admins = sorted(Rules.model_validate_json(local.rules_path.read_bytes()).admins)
            if not admins:
                raise SystemExit("No admin to sign in as: add admins: to a brand file")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(chromium.CHROMIUM), args=list(chromium.ARGS)
                )
                for lang in langs:
                    # One tab per language: the session it signs in to lasts as long as the tab.
                    page = browser.new_page()
                    page.goto(_sign_in_link(local, admins[0], lang))
                    page.select_option("#range-campaign", CAMPAIGN)
                    page.locator("form[data-range] [data-submit]").click()
                    expect(page.locator("[data-table=variants] tbody tr")).to_have_count(2, timeout=60_000)
                    expect(page.locator("[data-fulfil] li").first).to_be_visible(timeout=60_000)
                    expect(page.locator("[data-review] li").first).to_be_visible(timeout=60_000)
                    for name, (width, height) in WIDTHS.items():
                        page.set_viewport_size({"width": width, "height": height})
                        # the chart follows its box's new width (a ResizeObserver, a frame later)
                        page.wait_for_function(
                            "document.querySelector('[data-chart] .u-wrap').offsetWidth"
                            " === document.querySelector('[data-chart]').clientWidth"
                        )
                        target = out / f"console.{name}.{lang}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                    page.close()
                browser.close()
        finally:
            local.stop()
    return written
