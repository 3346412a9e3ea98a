"""The markers' promises hold (tests/markers.py): every test says its kind, a unit test that
reaches for moto, Pelican, the network or another process fails, and where nothing may skip
a skip fails. Each runs a small test file in a pytest of its own, in this process."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration  # it runs pytest, which is not a unit's business


@pytest.fixture
def run(pytester: pytest.Pytester):
    def _run(source: str) -> pytest.RunResult:
        pytester.makepyfile(test_sample=source)
        return pytester.runpytest_inprocess("-p", "tests.markers", "-q", "-p", "no:cacheprovider")

    return _run


def test_a_test_without_a_kind_is_refused_at_collection(run):
    result = run("def test_something():\n    assert True\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mark each test with exactly one of unit, integration, site, e2e*"])


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("from moto import mock_aws\n    with mock_aws():\n        pass", "starts moto"),
        ("import subprocess\n    subprocess.run(['true'])", "starts a process"),
        ("import socket\n    socket.create_connection(('127.0.0.1', 9))", "opens a network connection"),
        ("from pelican import Pelican\n    Pelican.run(None)", "Pelican"),
    ],
)
def test_a_unit_test_that_leaves_its_process_fails_and_says_what_to_mark_it(run, body, refused):
    result = run(f"import pytest\n\n@pytest.mark.unit\ndef test_it():\n    {body}\n")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"*a unit test *{refused}*; mark it integration, site or e2e instead*"])


def test_the_same_moto_test_passes_as_an_integration_test(run):
    body = "from moto import mock_aws\n    with mock_aws():\n        pass"
    run(f"import pytest\n\n@pytest.mark.integration\ndef test_it():\n    {body}\n").assert_outcomes(passed=1)


def test_a_skip_fails_where_nothing_may_skip(run, monkeypatch):
    source = "import pytest\n\n@pytest.mark.unit\ndef test_it():\n    pytest.skip('no node here')\n"
    monkeypatch.delenv("PASSAPAROLA_NO_SKIPS", raising=False)  # CI sets it for this very run
    run(source).assert_outcomes(skipped=1)
    monkeypatch.setenv("PASSAPAROLA_NO_SKIPS", "1")
    result = run(source)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*skipped where nothing may skip*no node here*"])
