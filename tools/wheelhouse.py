"""The offline installation folder (``make wheelhouse``, issue #21).

    python -m tools.wheelhouse [--out dist/wheelhouse] [--target NAME ...] [--python X.Y ...]
                               [--here] [--unpinned] [--no-index --find-links DIR]

writes::

    dist/wheelhouse/
        install.sh  install.bat  README.txt  MANIFEST.txt
        wheels/     the program's wheel and every wheel it needs, for every target
    dist/grassroots-tui-<version>-wheelhouse.zip   the same folder, to copy to a USB stick

- **Targets**: Windows x64, Linux x86_64 and Linux aarch64 (glibc 2.28 or newer: Debian 10,
  Ubuntu 20.04, RHEL 8, Kylin V10 and UOS 20 and later); **Pythons**: those pyproject's
  classifiers list (``Programming Language :: Python :: 3.N``). One ``pip download
  --only-binary=:all:`` per target and Python (pip refuses to finish a target for which
  a dependency has no wheel), then the requirements are followed again with the
  target's environment markers (:func:`missing`: pip evaluates them for the machine it
  runs on, and would leave out Windows' tzdata) and what is still missing is downloaded.
  A folder that was written is complete.
- **Which versions**: the ones installed in the environment running this (the venv the
  tests ran in), as constraints; ``--unpinned`` takes the newest each dependency's bounds
  allow instead. A Windows-only dependency (tzdata for psycopg) is not installed here and
  is taken at its newest.
- **The program's own wheel** is built from the working tree without network
  (``pip wheel --no-deps --no-build-isolation``: hatchling must be installed, as it is
  with ``.[dev]``).
- ``--here``: this machine's target and this Python only. ``make test`` keeps such a
  folder in ``.venv/wheelhouse-here`` (downloaded once per change of pyproject.toml), and
  ``tests/test_wheelhouse.py`` builds a new one from it with ``--no-index --find-links``
  and installs it into a fresh environment with no index reachable.

Downloading needs PyPI or a mirror, through the pip configuration of the machine (a
mirror set in pip.conf is used); installing needs nothing but the folder
(``install.sh``/``install.bat``: ``pip install --no-index``, and this machine's pip
configuration ignored).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata as metadata
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from datetime import UTC, datetime
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PROJECT = "grassroots-tui"

#: The oldest glibc the Linux wheels must run on: 2.28 (Debian 10, RHEL 8, Kylin V10, UOS 20).
GLIBC_MINOR = 28


def manylinux_tags(arch: str, newest: int = GLIBC_MINOR) -> list[str]:
    """Every manylinux platform tag a Linux with glibc 2.``newest`` on ``arch`` can run,
    newest first. pip does not widen ``--platform`` by itself: given only
    ``manylinux_2_28_x86_64`` it refuses a ``manylinux2014_x86_64`` wheel."""
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(newest, 4, -1)]
    legacy = {"manylinux2014": 17, "manylinux2010": 12, "manylinux1": 5}
    if arch != "x86_64":
        legacy = {"manylinux2014": 17}  # aarch64 wheels never had the older names
    tags += [f"{name}_{arch}" for name, minor in legacy.items() if minor <= newest]
    return tags


TARGETS: dict[str, list[str]] = {
    "windows-x64": ["win_amd64"],
    "linux-x86_64": manylinux_tags("x86_64"),
    "linux-aarch64": manylinux_tags("aarch64"),
}


#: What the environment markers of a requirement see on each target.
MARKERS: dict[str, dict[str, str]] = {
    "windows-x64": {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    },
    "linux-x86_64": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    "linux-aarch64": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "aarch64",
    },
}


def supported_pythons() -> list[str]:
    """The Pythons pyproject's classifiers name (``3.11`` …), oldest first."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [
        m.group(1)
        for c in project.get("classifiers", [])
        if (m := re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c))
    ]
    return sorted(found, key=lambda v: tuple(map(int, v.split("."))))


def this_target() -> str:
    """The target this machine is (what ``--here`` builds)."""
    machine = platform.machine().lower()
    if sys.platform == "win32" and machine in {"amd64", "x86_64"}:
        return "windows-x64"
    if sys.platform.startswith("linux") and machine in {"x86_64", "amd64"}:
        return "linux-x86_64"
    if sys.platform.startswith("linux") and machine in {"aarch64", "arm64"}:
        return "linux-aarch64"
    raise SystemExit(f"no wheelhouse target for {sys.platform} {machine}; targets: {list(TARGETS)}")


def run(command: list[str], *, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, env=env)


def build_project_wheel(dest: Path) -> Path:
    """The program's wheel from the working tree, built without network."""
    with tempfile.TemporaryDirectory() as scratch:
        run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
            + ["--no-build-isolation", "--no-index", "--wheel-dir", scratch, str(ROOT)]
        )
        (built,) = Path(scratch).glob("grassroots_tui-*.whl")
        return Path(shutil.copy2(built, dest / built.name))


def pinned_versions() -> list[str]:
    """``name==version`` of every distribution installed where this runs, but the program
    itself: the versions its tests ran against."""
    pins = set()
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() != PROJECT:
            pins.add(f"{name}=={dist.version}")
    return sorted(pins, key=str.lower)


def download(
    wanted: list[str],
    wheels: Path,
    target: str,
    python: str,
    constraints: Path | None,
    source: list[str],
    *,
    deps: bool = True,
) -> None:
    """The wheels for ``target`` and ``python`` of the requirements (or wheel files)
    ``wanted``, and of everything they need unless ``deps`` is false, into ``wheels``."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:"]
    command += ["--dest", str(wheels), "--python-version", python, "--implementation", "cp"]
    command += ["--abi", "cp" + python.replace(".", "")]
    for tag in TARGETS[target]:
        command += ["--platform", tag]
    if constraints is not None:
        command += ["--constraint", str(constraints)]
    run(command + ([] if deps else ["--no-deps"]) + source + wanted)


def _environment(target: str, python: str, extra: str = "") -> dict[str, str]:
    return {
        **MARKERS[target],
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
        "extra": extra,
    }


def _tags(target: str, python: str) -> set[Tag]:
    version = tuple(int(part) for part in python.split("."))
    abi = "cp" + python.replace(".", "")
    platforms = TARGETS[target]
    return set(cpython_tags(version, [abi], platforms)) | set(
        compatible_tags(version, abi, platforms)
    )


def missing(wheels: Path, target: str, python: str) -> list[Requirement]:
    """The requirements, followed from the program's wheel through every wheel it needs on
    ``target`` with ``python``, that no wheel in ``wheels`` meets.

    ``pip download --platform`` evaluates environment markers for the machine it runs on,
    not for the target: on Linux it leaves out psycopg's ``tzdata; sys_platform ==
    "win32"``, which a Windows installation then cannot find. This walk evaluates them
    for the target."""
    tags = _tags(target, python)
    found: dict[str, list[tuple[Path, str]]] = {}
    for path in wheels.glob("*.whl"):
        name, version, _build, wheel_tags = parse_wheel_filename(path.name)
        if wheel_tags & tags:
            found.setdefault(name, []).append((path, str(version)))
    (program,) = found[canonicalize_name(PROJECT)]
    todo: list[tuple[Path, frozenset[str]]] = [(program[0], frozenset())]
    seen: set[tuple[Path, frozenset[str]]] = set()
    lacking: list[Requirement] = []
    while todo:
        wheel, extras = todo.pop()
        if (wheel, extras) in seen:
            continue
        seen.add((wheel, extras))
        for requirement in _requires(wheel):
            wanted = [_environment(target, python, e) for e in (extras or {""})]
            if requirement.marker and not any(requirement.marker.evaluate(w) for w in wanted):
                continue
            candidates = [
                path
                for path, version in found.get(canonicalize_name(requirement.name), [])
                if requirement.specifier.contains(version, prereleases=True)
            ]
            if not candidates:
                lacking.append(requirement)
            for path in candidates:
                todo.append((path, frozenset(requirement.extras)))
    return sorted(set(lacking), key=str)


def _requires(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata_text = archive.read(name).decode("utf-8")
    meta = Parser().parsestr(metadata_text)
    return [Requirement(text) for text in meta.get_all("Requires-Dist") or []]


def complete(
    wheels: Path, target: str, python: str, constraints: Path | None, source: list[str]
) -> None:
    """Download what :func:`missing` finds, until nothing is missing."""
    for _round in range(5):
        lacking = missing(wheels, target, python)
        if not lacking:
            return
        plain = [str(Requirement(f"{r.name}{r.specifier}")) for r in lacking]
        download(plain, wheels, target, python, constraints, source, deps=False)
    raise SystemExit(f"{target} Python {python}: still missing {missing(wheels, target, python)}")


def render(template: Path, pythons: list[str], version: str) -> str:
    text = template.read_text(encoding="utf-8")
    text = text.replace("@PYTHONS@", " ".join(pythons))
    text = text.replace("@PYTHONS_NEWEST_FIRST@", " ".join(reversed(pythons)))
    return text.replace("@VERSION@", version)


def write_scripts(out: Path, pythons: list[str], version: str) -> None:
    shell = out / "install.sh"
    shell.write_text(render(HERE / "install.sh", pythons, version), encoding="utf-8")
    shell.chmod(0o755)
    batch = render(HERE / "install.bat", pythons, version)
    # cmd.exe wants CRLF line ends; a LF-only batch file can jump to the wrong label.
    (out / "install.bat").write_bytes(batch.replace("\r\n", "\n").replace("\n", "\r\n").encode())
    readme = render(HERE / "wheelhouse-README.txt", pythons, version)
    (out / "README.txt").write_text(readme, encoding="utf-8")


def write_manifest(out: Path, version: str, targets: list[str], pythons: list[str]) -> None:
    lines = [
        f"{PROJECT} {version} wheelhouse, written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        f"targets: {' '.join(targets)}",
        f"pythons: {' '.join(pythons)}",
        "",
        "sha256  bytes  file",
    ]
    for path in sorted((out / "wheels").glob("*.whl")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.stat().st_size}  wheels/{path.name}")
    (out / "MANIFEST.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def build(
    out: Path,
    targets: list[str],
    pythons: list[str],
    *,
    pinned: bool = True,
    source: list[str] | None = None,
    archive: bool = True,
) -> Path:
    """Write the wheelhouse into ``out`` (replacing one written before) and return it."""
    if out.exists():
        if not (out / "MANIFEST.txt").exists() and any(out.iterdir()):
            raise SystemExit(f"{out} exists and is not a wheelhouse; not replacing it")
        shutil.rmtree(out)
    wheels = out / "wheels"
    wheels.mkdir(parents=True)
    wheel = build_project_wheel(wheels)
    version = wheel.name.split("-")[1]
    with tempfile.TemporaryDirectory() as scratch:
        constraints = None
        if pinned:
            constraints = Path(scratch) / "constraints.txt"
            constraints.write_text("\n".join(pinned_versions()) + "\n", encoding="utf-8")
        for target in targets:
            for python in pythons:
                download([str(wheel)], wheels, target, python, constraints, source or [])
                complete(wheels, target, python, constraints, source or [])
    write_scripts(out, pythons, version)
    write_manifest(out, version, targets, pythons)
    if archive:
        zipped = shutil.make_archive(
            str(out.parent / f"{PROJECT}-{version}-wheelhouse"), "zip", out.parent, out.name
        )
        print(f"{zipped}: {Path(zipped).stat().st_size / 1e6:.1f} MB")
    size = sum(p.stat().st_size for p in wheels.iterdir())
    print(f"{out}: {len(list(wheels.iterdir()))} wheels, {size / 1e6:.1f} MB")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.wheelhouse", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "wheelhouse")
    parser.add_argument("--target", action="append", choices=list(TARGETS))
    parser.add_argument("--python", action="append", metavar="X.Y")
    parser.add_argument("--here", action="store_true", help="this machine and this Python only")
    parser.add_argument("--unpinned", action="store_true", help="newest within the bounds")
    parser.add_argument("--no-index", action="store_true", help="passed to pip download")
    parser.add_argument("--find-links", metavar="DIR", help="passed to pip download")
    parser.add_argument("--no-archive", action="store_true", help="no .zip beside the folder")
    args = parser.parse_args(argv)
    pythons = supported_pythons()
    targets = args.target or list(TARGETS)
    if args.here:
        targets, pythons = [this_target()], ["{}.{}".format(*sys.version_info[:2])]
    if args.python:
        pythons = args.python
    source = ["--no-index"] if args.no_index else []
    if args.find_links:
        source += ["--find-links", args.find_links]
    build(
        args.out.absolute(),
        targets,
        pythons,
        pinned=not args.unpinned,
        source=source,
        archive=not args.no_archive,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
