"""Site builds for the tests, into temporary folders."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.site.helpers import SAMPLE, SHARED_CACHE, run_pelican

Build = Callable[..., Path]


@pytest.fixture(scope="session", autouse=True)
def shared_picture_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One share-picture cache for every build of the session. Under pytest-xdist it sits
    beside the workers' own folders, so they share it too: a picture is written to a file of
    its own and renamed into place, so two processes drawing it at once both leave it whole."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-cache"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SHARED_CACHE, str(folder))
        yield folder


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
