"""Site builds for the tests, into temporary folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.site.helpers import SAMPLE, run_pelican

Build = Callable[..., Path]


@pytest.fixture
def build(tmp_path: Path) -> Build:
    """Build some content (the sample by default) with extra settings."""

    def _build(content: Path = SAMPLE, **settings: Any) -> Path:
        return run_pelican(content, tmp_path / "output", **settings)

    return _build


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the sample content that a test may edit."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "content"))


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content built once, with the API on the site's own origin."""
    return run_pelican(SAMPLE, tmp_path_factory.mktemp("site") / "output")
