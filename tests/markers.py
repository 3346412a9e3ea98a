"""What the markers promise, held: each test says what kind it is, a `unit` test cannot reach
Pelican, moto, the network or another process, and in CI no test may skip.

The kinds (pyproject.toml's [tool.pytest.ini_options] markers say what each means): unit,
integration, site, e2e. `browser` and `slow` say more about a test of one of those kinds.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Generator, Iterator
from typing import Any, NoReturn

import pytest
from moto.core.models import MockAWS

KINDS = ("unit", "integration", "site", "e2e")
# Set by .ci/run: on a clean machine everything a test needs is installed, so a skip is a fault.
NO_SKIPS = "PASSAPAROLA_NO_SKIPS"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # xdist keeps tests by id: two tests with one id would run as one, and the count would lie.
    ids = Counter(item.nodeid for item in items)
    twice = sorted(nodeid for nodeid, n in ids.items() if n > 1)
    if twice:
        raise pytest.UsageError("tests share an id, so one of them would not run:\n  " + "\n  ".join(twice))
    unsaid = [
        item.nodeid
        for item in items
        if len({mark.name for mark in item.iter_markers() if mark.name in KINDS}) != 1
    ]
    if unsaid:
        raise pytest.UsageError(
            f"mark each test with exactly one of {', '.join(KINDS)}:\n  " + "\n  ".join(unsaid)
        )


def _refuse(what: str) -> Any:
    def refused(*_args: Any, **_kwargs: Any) -> NoReturn:
        # pytest.fail raises an OutcomeException, which no `except Exception` can swallow.
        pytest.fail(f"a unit test {what}; mark it integration, site or e2e instead", pytrace=True)

    return refused


class _NoPelicanImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, *_: Any) -> None:
        if name.partition(".")[0] == "pelican":
            _refuse("imports Pelican")()


@contextlib.contextmanager
def _unit_bounds(item: pytest.Item) -> Iterator[None]:
    if item.get_closest_marker("unit") is None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refuse("opens a network connection"))
        patch.setattr(socket.socket, "connect_ex", _refuse("opens a network connection"))
        patch.setattr(subprocess.Popen, "__init__", _refuse("starts a process"))
        patch.setattr(MockAWS, "start", _refuse("starts moto"))
        if "pelican" in sys.modules:  # imported when the site tests were collected
            patch.setattr(sys.modules["pelican"].Pelican, "run", _refuse("runs Pelican"))
        else:
            patch.setattr(sys, "meta_path", [_NoPelicanImport(), *sys.meta_path])
        yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with _unit_bounds(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with _unit_bounds(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    if os.environ.get(NO_SKIPS) and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped where nothing may skip ({NO_SKIPS} is set): {reason}"
    return report
