"""The Lambda artifact: one zip holding the passaparola package, its compiled campaign rules
and every runtime dependency, with the bytecode of every module, byte for byte the same from
the same inputs.

Dependencies are the exact versions, checked by hash, of infra/lambda-requirements.txt,
installed as wheels for the target's platform and Python: uv only selects wheels by tag and
never builds, so the arm64 artifact for Lambda can be made on any machine. Of their data, the
artifact keeps what the functions read: botocore's models of the services they call, and
Babel's locale data for the languages the kit speaks (the rest is 60 of the 78 MB). Entries are
sorted, dated 1980-01-01 and given mode 0644, and nothing in the zip names the machine that
built it, so its SHA-256 identifies its inputs.

Bytecode: Lambda's /var/task is read-only, so a module without its .pyc is compiled from
source at every cold start. Every .py gets a __pycache__ .pyc made by the building
interpreter, which must therefore be the runtime's version (the template says python3.11, as
Debian 12's Python). The .pycs are "unchecked hash" ones (PEP 552): Python loads them without
looking at the source's mtime, which the zip's fixed 1980 dates would not match anyway, nor
hashing the source. They are compiled in a fresh interpreter with a fixed hash seed (frozenset
constants are marshalled in hash order) and file names relative to the zip's root, so they
are the same bytes at every build.
"""

from __future__ import annotations

import hashlib
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from passaparola import config
from passaparola.domain.vocabulary import LANGUAGES
from passaparola.storage import aws
from passaparola_build import paths
from passaparola_build.rules import build_rules
from passaparola_localstack import template as cfn

PACKAGE = Path(config.__file__).parent
REQUIREMENTS = paths.ROOT / "infra" / "lambda-requirements.txt"
# The template's CodeUri names this file.
DEFAULT_OUT = paths.BUILD / "lambda.zip"

# What the installer puts beside the packages that no handler imports: console scripts, whose
# first line names the building interpreter's path, data files such as man pages, and its lock.
_NOT_IMPORTABLE = ("bin", "share", ".lock")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_REGULAR_FILE_0644 = 0o100644 << 16
_UNIX = 3
_ARCHITECTURES = {"arm64": "aarch64", "x86_64": "x86_64"}
# Run by the building interpreter without site-packages: compile the files named on stdin
# (relative to the folder in argv) to their __pycache__ .pyc, in that order.
_COMPILE_ALL = """
import py_compile, sys
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
for name in sys.stdin.read().splitlines():
    py_compile.compile(sys.argv[1] + "/" + name, dfile=name, doraise=True, invalidation_mode=mode)
"""


def pins(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """The pinned version of each package in the requirements file, by normalised name."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith((" ", "#")):
            name, version = line.split(" ")[0].split("==")
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


@dataclass(frozen=True)
class Target:
    """The wheels to install: a platform tag such as "manylinux2014_aarch64" and a Python
    version such as "3.11"."""

    platform: str
    python_version: str

    @property
    def builder_matches(self) -> bool:
        """Whether this interpreter makes bytecode the target's Python can load."""
        return self.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"

    @classmethod
    def lambda_runtime(cls, template: dict[str, Any] | None = None) -> Target:
        """The template's Runtime and Architectures. manylinux2014 wheels run on both of
        Lambda's Amazon Linux generations."""
        function = (template or cfn.load())["Globals"]["Function"]
        runtime = str(function["Runtime"])
        if not runtime.startswith("python"):
            raise ValueError(f"the template's runtime {runtime} is not a Python runtime")
        machine = _ARCHITECTURES[function.get("Architectures", ["x86_64"])[0]]
        return cls(f"manylinux2014_{machine}", runtime.removeprefix("python"))

    @classmethod
    def host(cls) -> Target:
        """This machine's platform and Python: an artifact that this interpreter can import
        (the tests and the benchmark run one). On Linux the same manylinux2014 family as
        Lambda's; the installer widens it to the older tags it implies (it would not widen this
        machine's newest manylinux_2_NN tag)."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        if sys.platform == "linux":
            return cls(f"manylinux2014_{platform.machine()}", version)
        return cls(sysconfig.get_platform().replace("-", "_").replace(".", "_"), version)


@dataclass(frozen=True)
class Artifact:
    path: Path
    sha256: str
    files: int
    unzipped_bytes: int

    @property
    def zipped_bytes(self) -> int:
        return self.path.stat().st_size


def build(
    out: Path = DEFAULT_OUT,
    target: Target | None = None,
    *,
    content_dir: Path = paths.CONTENT,
    requirements: Path = REQUIREMENTS,
) -> Artifact:
    """Build the zip at `out` (replacing it only once complete) and describe it."""
    target = target or Target.lambda_runtime()
    if not target.builder_matches:
        raise ValueError(
            f"the bytecode for Python {target.python_version} must be compiled by Python "
            f"{target.python_version}; run the build with it (this is {sys.version.split()[0]})"
        )
    with tempfile.TemporaryDirectory(prefix="passaparola-artifact-") as staging:
        tree = Path(staging)
        _install_dependencies(tree, target, requirements)
        _drop_unread_data(tree)
        _copy_package(tree / PACKAGE.name)
        # Where config finds them when RULES_PATH is not set, as in Lambda.
        build_rules(content_dir, tree / PACKAGE.name / config.BUNDLED_RULES.relative_to(PACKAGE))
        _compile(tree)
        return _zip(tree, out)


def _install_dependencies(tree: Path, target: Target, requirements: Path) -> None:
    # uv, a dependency of the tools: under a second where pip took four.
    command = [
        str(Path(sys.executable).with_name("uv")), "pip", "install",
        "--quiet", "--no-progress",
        "--target", str(tree),
        "--python", sys.executable,
        *_platform_option(target),
        "--python-version", target.python_version,
        "--only-binary", ":all:",
        # The requirements file pins every package, dependencies included, with hashes.
        "--no-deps", "--require-hashes",
        "--requirement", str(requirements),
    ]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 - a fixed install command
    for name in _NOT_IMPORTABLE:
        path = tree / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _platform_option(target: Target) -> list[str]:
    """uv's name for a manylinux tag ("manylinux2014_aarch64" is "aarch64-manylinux2014"); any
    other platform is the building interpreter's own, which uv then selects by itself."""
    family, _, machine = target.platform.partition("_")
    return ["--python-platform", f"{machine}-{family}"] if family.startswith("manylinux") else []


def _drop_unread_data(tree: Path) -> None:
    services = tree / "botocore" / "data"
    for folder in services.iterdir():
        if folder.is_dir() and folder.name not in aws.SERVICES:
            shutil.rmtree(folder)
    # Every language the kit speaks, and the root they inherit from; global.dat stays.
    kept = {"root", *LANGUAGES}
    for locale in (tree / "babel" / "locale-data").glob("*.dat"):
        if locale.stem not in kept:
            locale.unlink()


def _copy_package(destination: Path) -> None:
    shutil.copytree(PACKAGE, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _compile(tree: Path) -> None:
    sources = sorted(path.relative_to(tree).as_posix() for path in tree.rglob("*.py"))
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-S", "-s", "-c", _COMPILE_ALL, str(tree)],
        input="\n".join(sources),
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "0"},
    )


def _zip(tree: Path, out: Path) -> Artifact:
    files = sorted((path.relative_to(tree).as_posix(), path) for path in tree.rglob("*") if path.is_file())
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    unzipped = 0
    with zipfile.ZipFile(partial, "w") as archive:
        for name, path in files:
            data = path.read_bytes()
            unzipped += len(data)
            entry = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            entry.create_system = _UNIX
            entry.external_attr = _REGULAR_FILE_0644
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data, compresslevel=6)
    partial.replace(out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return Artifact(out, digest, len(files), unzipped)
