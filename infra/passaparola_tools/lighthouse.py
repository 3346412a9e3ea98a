"""`passaparola lighthouse`: Lighthouse (mobile, Debian's Chromium) on every page type in every
language, against the local stack that `serve` runs: the built site with the headers
CloudFront adds, and the real API on moto, seeded as `serve --demo` seeds it. The landing
page is opened with a valid code and the stats page with a referrer's private link, as the
people they are for open them.

Lighthouse 12 (the last major version that runs on Node 20) is installed from npm into
.build/lighthouse on first use. Pages kept out of search engines on purpose (noindex: the
friend's landing page, the referrer's stats page, the data and unsubscribe pages, the console,
the 404 page) lose SEO points for exactly
that ("Page is blocked from indexing"); the table says so instead of a score.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from passaparola import i18n, site_paths
from passaparola_build import paths
from passaparola_localstack import demo
from passaparola_localstack.serve import LocalStack
from passaparola_tools import chromium

INSTALL = paths.BUILD / "lighthouse"
PACKAGE = "lighthouse@12"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# What Lighthouse's SEO category holds against a page that asks not to be indexed.
NOINDEX_AUDIT = "is-crawlable"
CAMPAIGN = "spring"  # the sample campaign written in every language
KINDS = ("index", "invite", "landing", "terms", "stats", "my_data", "unsubscribe", "admin", "notfound")


@dataclass(frozen=True)
class Target:
    kind: str
    lang: str
    path: str


@dataclass(frozen=True)
class Result:
    target: Target
    scores: dict[str, int]
    noindex: bool
    layout_shift: float
    misses: dict[str, list[str]]  # category -> the audits that kept it under 100

    @property
    def perfect(self) -> bool:
        return all(
            score == 100
            for category, score in self.scores.items()
            if not (category == "seo" and self.noindex)
        )


def lighthouse_bin() -> Path:
    """Lighthouse from .build/lighthouse, installed there from npm the first time."""
    binary = INSTALL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("Lighthouse comes from npm: install Node.js 20 and npm (apt-get install -y npm)")
        INSTALL.mkdir(parents=True, exist_ok=True)
        print(f"Installing {PACKAGE} into {INSTALL.relative_to(paths.ROOT)} (once)...", flush=True)
        subprocess.run(  # noqa: S603 - npm, with our fixed arguments
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--prefix",
                str(INSTALL),
                PACKAGE,
            ],
            check=True,
        )
    return binary


def targets(
    code: str, stats_fragment: str, unsubscribe_token: str, langs: Iterable[str], kinds: Iterable[str]
) -> list[Target]:
    """Each page type in each language (the 404 page has one), at the address people use."""
    wanted = set(kinds)
    found = []
    for lang in langs:
        paths = {
            "index": site_paths.home(lang),
            "invite": site_paths.invite(CAMPAIGN, lang),
            "landing": f"{site_paths.landing(CAMPAIGN, lang)}?ref={code}",
            "terms": site_paths.terms(CAMPAIGN, lang),
            "stats": f"{site_paths.stats(lang)}{stats_fragment}",
            # as people first open them: the form that asks for a data link, and the question
            # an unsubscribe link asks before it acts (its token in the fragment)
            "my_data": site_paths.my_data(lang),
            "unsubscribe": f"{site_paths.unsubscribe(lang)}#t={unsubscribe_token}",
            # as it first opens: the sign-in form (a sign-in link works once, an audit reloads)
            "admin": site_paths.admin(lang),
        }
        found += [Target(kind, lang, path) for kind, path in paths.items() if kind in wanted]
    if "notfound" in wanted:
        found.append(Target("notfound", i18n.DEFAULT, "/404.html"))
    return found


def audit(binary: Path, url: str, target: Target) -> Result:
    flags = " ".join(chromium.ARGS)
    done = subprocess.run(  # noqa: S603 - our own Lighthouse with fixed arguments
        [
            str(binary),
            url,
            "--output=json",
            "--output-path=stdout",
            "--quiet",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={flags}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"CHROME_PATH": str(chromium.CHROMIUM)},
    )
    if done.returncode:
        raise RuntimeError(f"lighthouse {url} failed:\n{done.stderr[-2000:]}")
    return read_report(json.loads(done.stdout), target)


def read_report(report: dict[str, Any], target: Target) -> Result:
    audits = report["audits"]
    scores, misses = {}, {}
    for name in CATEGORIES:
        category = report["categories"][name]
        scores[name] = round(category["score"] * 100)
        if scores[name] < 100:
            misses[name] = sorted(
                ref["id"]
                for ref in category["auditRefs"]
                if ref["weight"] > 0
                and audits[ref["id"]]["score"] is not None
                and audits[ref["id"]]["score"] < 1
            )
    noindex = audits[NOINDEX_AUDIT]["score"] == 0
    shift = float(audits["cumulative-layout-shift"]["numericValue"])
    return Result(target, scores, noindex, shift, misses)


def table(results: list[Result]) -> str:
    rows = [
        f"{'page type':10} {'lang':4} {'path':34} {'perf':>4} {'a11y':>4} {'b.p.':>4} {'SEO':>10} {'CLS':>6}"
    ]
    for r in results:
        path = urlsplit(r.target.path).path + ("?ref=…" if "?ref=" in r.target.path else "")
        path += "#t=…" if "#t=" in r.target.path else ""
        seo = f"{r.scores['seo']} noindex" if r.noindex else str(r.scores["seo"])
        rows.append(
            f"{r.target.kind:10} {r.target.lang:4} {path:34} {r.scores['performance']:4d} "
            f"{r.scores['accessibility']:4d} {r.scores['best-practices']:4d} {seo:>10} {r.layout_shift:6.3f}"
        )
        for category, audits in r.misses.items():
            if not (category == "seo" and r.noindex and audits == [NOINDEX_AUDIT]):
                rows.append(f"{'':16}{category} below 100: {', '.join(audits)}")
    rows.append(
        "noindex: kept out of search engines on purpose (the friend's landing page, the referrer's stats "
        "page, a person's data and unsubscribe pages only make sense with a personal code or link; the "
        "console; the 404 page); Lighthouse's SEO score counts that against them."
    )
    return "\n".join(rows)


def main(langs: Iterable[str] = i18n.LANGUAGES, kinds: Iterable[str] = KINDS) -> int:
    binary = lighthouse_bin()
    chromium.ensure()
    with tempfile.TemporaryDirectory(prefix="passaparola-lighthouse-") as state:
        local = LocalStack(port=0, state_dir=Path(state))
        local.bind()
        try:
            local.build()
            local.start_aws()
            local.start_functions()
            local.start_serving()
            stats_links = demo.seed(local)
            code = enrol(local)
            fragment = "#" + stats_links["anna@example.com"].split("#", 1)[1]
            results = []
            for target in targets(code, fragment, unsubscribe_token(local), langs, kinds):
                print(f"  {target.kind} {target.lang} ...", flush=True)
                results.append(audit(binary, local.url + target.path, target))
        finally:
            local.stop()
    print(table(results))
    return 0 if all(r.perfect for r in results) else 1


def unsubscribe_token(local: LocalStack) -> str:
    """The token of an unsubscribe link in the demo's emails (the page asks before it acts);
    the lifecycle's emails go from the queue, so the first may still be on its way."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for mail in local.outbox():
            link = dict(mail["headers"]).get("List-Unsubscribe")
            if link:
                return str(link).strip().strip("<>").rsplit("/", 1)[1]
        time.sleep(0.2)
    raise RuntimeError("the demo sent no email with an unsubscribe link within a minute")


def enrol(local: LocalStack) -> str:
    """A referrer with a name of a usual length, whose code the landing pages are opened with."""
    assert local.gateway is not None
    body = {"campaign": CAMPAIGN, "email": "lighthouse@example.com", "name": "Nina", "locale": "en"}
    answer = local.gateway.http(
        "POST", "/referrers", headers={"content-type": "application/json"}, body=json.dumps(body).encode()
    )
    code: str = json.loads(answer.body)["code"]
    return code
