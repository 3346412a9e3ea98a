"""The site build against plain Pelican, in the same run on the same machine.

Our side: 40 campaigns in 5 languages, made from content/'s spring campaign in a temporary
folder (never in content/), built as a user runs `passaparola site`: the pages and the
compiled campaign rules, with an empty share-picture cache (cold), and, for information,
again with the cache the cold build filled (warm). Plain Pelican's side: `pelican content`
with Pelican's own default settings (no settings file) on as many one-paragraph Markdown
articles as our build writes pages. Each build is a fresh process, timed from start to exit,
so both sides pay for starting Python and importing what they use; the figure is the median
of the samples (three by default), taken in turns so that both sides meet the same machine
load. Each side builds over its own earlier output, as a user's builds do. The target holds
the cold build.
"""

from __future__ import annotations

import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from passaparola_build import paths

CAMPAIGNS = 40
_WORDS_TO_NUMBER = re.compile(r"^(title|headline): ", re.MULTILINE)


def synthetic_content(folder: Path, campaigns: int = CAMPAIGNS) -> Path:
    """content/'s brands, and `campaigns` copies of its spring campaign in every language it
    has, each with its own words and friend's discount, so that no two share pictures match."""
    root = folder / "content"
    shutil.copytree(paths.CONTENT / "brands", root / "brands")
    (root / "campaigns").mkdir()
    sources = sorted((paths.CONTENT / "campaigns").glob("spring*.md"))
    for number in range(1, campaigns + 1):
        for source in sources:
            text = _WORDS_TO_NUMBER.sub(rf"\1: {number} · ", source.read_text(encoding="utf-8"))
            text = text.replace("percent: 10}", f"percent: {number + 5}}}")
            name = source.name.replace("spring", f"spring-{number:02d}", 1)
            (root / "campaigns" / name).write_text(text, encoding="utf-8")
    return root


def plain_content(folder: Path, articles: int) -> Path:
    """`articles` one-paragraph Markdown articles at the top of a content folder, where
    Pelican's defaults look for them (an article needs a date: Pelican skips one without)."""
    root = folder / "plain" / "content"
    root.mkdir(parents=True)
    for number in range(articles):
        (root / f"article-{number:04d}.md").write_text(
            f"Title: Article {number}\nDate: 2026-11-{number % 28 + 1:02d} 10:00\n"
            f"Slug: article-{number:04d}\n\n"
            f"Article {number} says one paragraph of *Markdown*, as a landing page might.\n",
            encoding="utf-8",
        )
    return root


@dataclass(frozen=True)
class Timing:
    """A build's wall time, and the processor time it and its worker processes used (user and
    system): on a machine others are busy on, the second says what the first cannot."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _timed(command: list[str], cwd: Path = paths.ROOT) -> Timing:
    cpu = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return Timing(seconds, _children_cpu() - cpu)


def build_ours(content: Path, output: Path, cache: Path, rules: Path) -> Timing:
    """`passaparola site` as a user runs it: the pages and the rules."""
    command = [sys.executable, "-m", "passaparola_tools.cli", "site", f"--rules={rules}"]
    return _timed([*command, f"--content={content}", f"--out={output}", f"--cache-dir={cache}"])


def build_plain(content: Path, output: Path) -> Timing:
    """`pelican content` with Pelican's defaults: run beside the content folder, where there
    is no pelicanconf.py for it to pick up."""
    return _timed(
        [sys.executable, "-m", "pelican", content.name, "-o", str(output), "-q"], cwd=content.parent
    )


def html_files(output: Path) -> int:
    return sum(1 for _ in output.rglob("*.html"))


@dataclass(frozen=True)
class SiteBuildFigures:
    """Medians in seconds of each kind of build (wall, then processor time), and how many
    pages each side wrote."""

    pages: int
    plain_files: int
    plain: float
    cold: float
    warm: float
    plain_cpu: float = 0.0
    cold_cpu: float = 0.0
    warm_cpu: float = 0.0


def measure(samples: int) -> SiteBuildFigures:
    with tempfile.TemporaryDirectory(prefix="passaparola-site-bench-") as scratch:
        folder = Path(scratch)
        ours = synthetic_content(folder)
        output = folder / "site"
        rules = folder / "rules.json"
        build_ours(ours, output, folder / "cache-probe", rules)  # how many pages to match
        pages = html_files(output)
        plain = plain_content(folder, pages)
        # Each side then builds over its own earlier output, as a user's next build does.
        build_plain(plain, folder / "plain-site")
        cold: list[Timing] = []
        warm: list[Timing] = []
        bare: list[Timing] = []
        for sample in range(samples):
            bare.append(build_plain(plain, folder / "plain-site"))
            cache = folder / f"cache-{sample}"  # empty: a new folder each time
            cold.append(build_ours(ours, output, cache, rules))
            warm.append(build_ours(ours, output, cache, rules))
        plain_files = html_files(folder / "plain-site")
    walls = [statistics.median(t.wall for t in side) for side in (bare, cold, warm)]
    cpus = [statistics.median(t.cpu for t in side) for side in (bare, cold, warm)]
    return SiteBuildFigures(pages, plain_files, *walls, *cpus)
