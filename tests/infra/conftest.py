"""The template, as written and as the SAM transform expands it, and the Lambda artifact."""

from __future__ import annotations

import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from passaparola_localstack import template as local_template
from passaparola_tools import artifact
from tests.infra import cfn
from tests.support import FIXTURE_CONTENT


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return local_template.load()


@pytest.fixture(scope="session")
def translated(template: dict[str, Any]) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
        return cfn.translate(template)


@dataclass(frozen=True)
class Builds:
    host: artifact.Artifact
    lambda_runtime: tuple[artifact.Artifact, artifact.Artifact]


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Three builds at once (each is mostly compiling and zipping): the artifact for this host,
    from the test campaigns, and the artifact for Lambda's runtime, twice from the same inputs."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        host = pool.submit(
            artifact.build,
            tmp_path_factory.mktemp("host") / "lambda.zip",
            artifact.Target.host(),
            content_dir=FIXTURE_CONTENT,
        )
        twice = [
            pool.submit(artifact.build, tmp_path_factory.mktemp(n) / "lambda.zip")
            for n in ("first", "second")
        ]
        return Builds(host.result(), (twice[0].result(), twice[1].result()))


@pytest.fixture(scope="session")
def host_artifact(builds: Builds, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The host build, unpacked into a folder of its own."""
    unpacked = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(builds.host.path) as archive:
        archive.extractall(unpacked)
    return unpacked


@pytest.fixture(scope="session")
def lambda_builds(builds: Builds) -> tuple[artifact.Artifact, artifact.Artifact]:
    return builds.lambda_runtime
