"""The Lambda artifact: self-contained (every handler the template names imports from it alone),
reproducible (two builds, one byte sequence) and built for Lambda's runtime, bytecode included."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from passaparola.storage import aws
from passaparola_build import paths
from passaparola_build.rules import build_rules
from passaparola_localstack import template as local_template
from passaparola_tools import artifact
from tests.infra.lambda_sandbox import isolated

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ELF_MACHINE_AARCH64 = 183
# importlib.util.MAGIC_NUMBER of each Python a Lambda runtime may be; it changes only between
# minor versions. Written out, so the test holds even when run by another Python.
MAGIC_NUMBERS = {"3.11": 3495, "3.12": 3531, "3.13": 3571}
PYC_UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, source not checked
STDLIB = {Path(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}
STDLIB_ZIP = Path(sysconfig.get_paths()["stdlib"]).with_name(
    f"python{sys.version_info.major}{sys.version_info.minor}.zip"
)
# Lambda's python3.11 runtime on arm64, for evaluating the dependencies' environment markers.
LAMBDA_ENVIRONMENT = default_environment() | {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "aarch64",
    "os_name": "posix",
    "extra": "",
}


def _handlers(template: dict[str, Any]) -> list[str]:
    return sorted({local_template.handler_of(template, f) for f in local_template.functions(template)})


def _isolated_run(host_artifact: Path, *arguments: str) -> dict[str, Any]:
    """The driver's report, after checking that everything it imported came from the artifact
    or the standard library, and nothing from this machine's site-packages."""
    ran = subprocess.run(
        isolated(host_artifact, *arguments), capture_output=True, text=True, check=False, env={}
    )
    assert ran.returncode == 0, ran.stderr
    report: dict[str, Any] = json.loads(ran.stdout)

    def allowed(path: Path) -> bool:
        if path.is_relative_to(host_artifact):
            return True
        if {"site-packages", "dist-packages"} & set(path.parts):
            return False  # inside the standard library's folder, but not the standard library
        return path == STDLIB_ZIP or any(path.is_relative_to(root) for root in STDLIB)

    assert report["path"][0] == str(host_artifact)
    assert [entry for entry in report["path"] if not allowed(Path(entry))] == []
    modules = {name: file for name, file in report["modules"].items() if name != "__main__"}  # the driver
    outside = {name: file for name, file in modules.items() if file and not allowed(Path(file))}
    assert outside == {}
    report["from_artifact"] = {
        name for name, file in modules.items() if file and Path(file).is_relative_to(host_artifact)
    }
    return report


def test_every_handler_imports_from_the_artifact_alone(host_artifact: Path, template: dict[str, Any]) -> None:
    handlers = _handlers(template)
    assert len(handlers) == 18
    report = _isolated_run(host_artifact, "imports", *handlers)
    assert {
        "passaparola.handlers.record_click",
        "aws_lambda_powertools",
        "pydantic_core",
    } <= report["from_artifact"]


def test_every_module_of_the_package_imports_with_the_pinned_dependencies_alone(host_artifact: Path) -> None:
    """The artifact is the functions' package (nothing the build runs) and the distributions
    of infra/lambda-requirements.txt (nothing else), and every one of the package's modules
    imports there: no module needs what only the build or the dev environment has."""
    expected = sorted(
        ".".join(path.relative_to(artifact.PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in artifact.PACKAGE.rglob("*.py")
    )
    distributions = {
        _normalised(folder.name.removesuffix(".dist-info").rpartition("-")[0])
        for folder in host_artifact.glob("*.dist-info")
    }
    assert distributions == set(artifact.pins())
    report = _isolated_run(host_artifact, "package", "passaparola")
    assert sorted(report["tried"]) == expected
    assert report["failed"] == {}
    assert set(expected) <= report["from_artifact"]
    assert "passaparola.handlers.record_click" in expected and "passaparola.content" not in expected


# Run from the artifact alone: each language's words, money, dates and plural forms, and a
# client of each service the functions call.
_DATA_PROBE = """
import json, sys
from datetime import date
from decimal import Decimal
import boto3
from passaparola import i18n
from passaparola.storage import aws
said = {
    lang: [i18n.money(Decimal("10.50"), "EUR", lang), i18n.money(Decimal(10), "PLN", lang),
           i18n.day(date(2026, 3, 1), lang), i18n.percent(Decimal(15), lang),
           i18n.text(lang, "site.rule.hold.purchase", count=2)]
    for lang in i18n.LANGUAGES
}
session = boto3.session.Session(region_name="eu-west-1")
clients = [session.client(service).meta.service_model.service_name for service in aws.SERVICES]
print(json.dumps({"said": said, "clients": clients}))
"""


def test_the_data_it_keeps_serves_every_language_and_every_service_the_functions_call(
    host_artifact: Path,
) -> None:
    """The build drops the data no function reads (botocore's other models, Babel's other
    locales); what stays is enough, and says the same as the full packages here do."""
    probe = f"import sys; sys.path.insert(0, {str(host_artifact)!r})\n{_DATA_PROBE}"
    ran = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, check=False, env={}
    )
    assert ran.returncode == 0, ran.stderr
    here = subprocess.run([sys.executable, "-c", _DATA_PROBE], capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout) == json.loads(here.stdout)
    assert "zł" in json.loads(ran.stdout)["said"]["pl"][1]
    assert len(list((host_artifact / "botocore" / "data").iterdir())) < 20
    assert len(list((host_artifact / "babel" / "locale-data").glob("*.dat"))) == 6


def test_every_service_the_functions_call_is_one_whose_model_the_artifact_keeps() -> None:
    called = {
        match
        for path in artifact.PACKAGE.rglob("*.py")
        for match in re.findall(r"aws\.client\(\"([a-z0-9-]+)\"\)", path.read_text(encoding="utf-8"))
    }
    assert called == set(aws.SERVICES)


def test_two_builds_are_byte_identical(lambda_builds: tuple[artifact.Artifact, artifact.Artifact]) -> None:
    first, second = lambda_builds
    assert first.path != second.path
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.sha256 == second.sha256


def test_entries_are_sorted_dated_and_plain_files(
    lambda_builds: tuple[artifact.Artifact, artifact.Artifact],
) -> None:
    with zipfile.ZipFile(lambda_builds[0].path) as archive:
        entries = archive.infolist()
    names = [entry.filename for entry in entries]
    assert names == sorted(names)
    assert {entry.date_time for entry in entries} == {(1980, 1, 1, 0, 0, 0)}
    assert {entry.external_attr >> 16 for entry in entries} == {0o100644}
    assert [n for n in names if n.startswith(("bin/", "share/"))] == []


def _cached(source: str, tag: str) -> str:
    """Where Python looks for a source's bytecode (importlib.util.cache_from_source)."""
    folder, _, file = source.rpartition("/")
    return f"{folder}/__pycache__/{file.removesuffix('.py')}.{tag}.pyc".lstrip("/")


def test_every_module_has_bytecode_for_the_runtimes_python(
    lambda_builds: tuple[artifact.Artifact, artifact.Artifact], template: dict[str, Any]
) -> None:
    """/var/task is read-only: a module without its .pyc would be compiled at every cold start.
    Each .pyc is where the runtime's Python looks for it, with that Python's magic number, and
    is used without checking the source (whose zip date is 1980)."""
    version = template["Globals"]["Function"]["Runtime"].removeprefix("python")
    tag = "cpython-" + version.replace(".", "")
    with zipfile.ZipFile(lambda_builds[0].path) as archive:
        names = set(archive.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        expected = {_cached(source, tag): source for source in sources}
        missing = [source for pyc, source in expected.items() if pyc not in names]
        headers = {pyc: archive.read(pyc)[:8] for pyc in expected if pyc in names}
    assert len(sources) > 500  # the package and its dependencies
    assert missing == []
    assert {pyc for pyc in names if pyc.endswith(".pyc")} == set(expected)  # none for another Python
    magic = MAGIC_NUMBERS[version].to_bytes(2, "little") + b"\r\n"
    assert {header[:4] for header in headers.values()} == {magic}
    assert {int.from_bytes(header[4:8], "little") for header in headers.values()} == {PYC_UNCHECKED_HASH}


def test_a_build_for_another_python_than_the_builders_is_refused(tmp_path: Path) -> None:
    other = "3.12" if sys.version_info[:2] != (3, 12) else "3.11"
    with pytest.raises(ValueError, match=f"must be compiled by Python {other}"):
        artifact.build(tmp_path / "lambda.zip", artifact.Target("manylinux2014_aarch64", other))
    assert not (tmp_path / "lambda.zip").exists()


def test_it_is_built_for_lambdas_runtime(lambda_builds: tuple[artifact.Artifact, artifact.Artifact]) -> None:
    """The runtime and architecture come from the template: python3.11 on arm64."""
    with zipfile.ZipFile(lambda_builds[0].path) as archive:
        (native,) = [
            n
            for n in archive.namelist()
            if n.startswith("pydantic_core/_pydantic_core.") and n.endswith(".so")
        ]
        header = archive.read(native)[:20]
    assert native.endswith(".cpython-311-aarch64-linux-gnu.so")
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINE_AARCH64


def test_it_holds_the_rules_compiled_from_content(
    lambda_builds: tuple[artifact.Artifact, artifact.Artifact], tmp_path: Path
) -> None:
    expected = tmp_path / "rules.json"
    build_rules(paths.CONTENT, expected)
    with zipfile.ZipFile(lambda_builds[0].path) as archive:
        assert archive.read("passaparola/rules.json") == expected.read_bytes()
        # and beside them the compact click rules, which the click function reads instead
        assert archive.read("passaparola/rules.clicks.json") == (tmp_path / "rules.clicks.json").read_bytes()


def _installed(archive: zipfile.ZipFile) -> dict[str, list[str]]:
    """Each distribution in the artifact, by normalised name, with its Requires-Dist."""
    found = {}
    for name in archive.namelist():
        if name.endswith(".dist-info/METADATA"):
            text = archive.read(name).decode()
            headers = dict(line.split(": ", 1) for line in text.split("\n\n")[0].splitlines() if ": " in line)
            requires = [
                line.split(": ", 1)[1] for line in text.splitlines() if line.startswith("Requires-Dist: ")
            ]
            found[_normalised(headers["Name"])] = requires
    return found


def _normalised(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_every_dependency_of_every_package_is_in_it(
    lambda_builds: tuple[artifact.Artifact, artifact.Artifact],
) -> None:
    """The requirements file is installed with --no-deps, so it must be closed under
    dependencies (as Lambda's runtime evaluates their markers)."""
    with zipfile.ZipFile(lambda_builds[0].path) as archive:
        installed = _installed(archive)
    missing = set()
    for package, requires in installed.items():
        for requirement in map(Requirement, requires):
            applies = requirement.marker is None or requirement.marker.evaluate(LAMBDA_ENVIRONMENT)
            if applies and _normalised(requirement.name) not in installed:
                missing.add((package, str(requirement)))
    assert missing == set()


def test_the_pins_satisfy_the_projects_dependencies() -> None:
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    pins = artifact.pins()
    for dependency in map(Requirement, project["dependencies"]):
        name = _normalised(dependency.name)
        assert name in pins, f"{name} is not pinned in {artifact.REQUIREMENTS.name}"
        assert dependency.specifier.contains(pins[name], prereleases=True), (name, pins[name])
