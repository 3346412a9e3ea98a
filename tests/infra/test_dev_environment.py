"""The environment the tests run in has the versions Lambda runs: `./passaparola` installs
the project with infra/lambda-requirements.txt's pins as constraints."""

from __future__ import annotations

from importlib import metadata

import pytest

from passaparola_tools import artifact

pytestmark = pytest.mark.unit


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_every_pinned_package_installed_here_has_the_pinned_version():
    pins = artifact.pins()
    installed = {name: _installed(name) for name in pins}
    assert {"aws-lambda-powertools", "boto3", "botocore", "pydantic", "babel"} <= {
        name for name, version in installed.items() if version
    }
    assert {name: version for name, version in installed.items() if version and version != pins[name]} == {}
