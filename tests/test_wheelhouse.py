"""The offline installation folder (``make wheelhouse``, :mod:`tools.wheelhouse`, issue #21).

The main test does what an office does with the folder, on this machine's target (Linux,
its architecture) and the venv's Python: build the wheelhouse with the same tool as
``make wheelhouse``, then ``sh install.sh`` into a fresh environment under a fresh home,
then ``grassroots demo`` and ``grassroots check`` through the ``grassroots`` the
installer put on the path.

Nothing reaches the network: the dependency wheels come from ``.venv/wheelhouse-here``,
which ``make test`` downloads beforehand (again only when pyproject.toml or the tool
changes), and both the build (``--no-index --find-links``) and the installer
(``pip install --no-index``) run with every proxy pointed at a closed port on 127.0.0.1
and this machine's pip configuration ignored, so that a step that tried to reach an index
would fail rather than quietly download. Without ``.venv/wheelhouse-here`` the test fails
and says which make target fills it.

Windows: ``install.bat`` is checked as text only (ASCII, CRLF line ends, every ``goto``
has its label, the same pip options as install.sh); it has not been run.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest

from tools import wheelhouse

ROOT = Path(__file__).resolve().parent.parent
HERE_WHEELS = ROOT / ".venv" / "wheelhouse-here" / "wheels"
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens on it

pytestmark = pytest.mark.slow


def offline_env(**extra: str) -> dict[str, str]:
    """This environment without pip's settings, every proxy at a closed local port."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        env[name] = env[name.upper()] = CLOSED
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    env.update(extra)
    return env


def test_manylinux_tags_reach_back_from_glibc_2_28():
    x86 = wheelhouse.manylinux_tags("x86_64")
    assert x86[0] == "manylinux_2_28_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(x86)
    assert "manylinux_2_29_x86_64" not in x86 and "manylinux_2_34_x86_64" not in x86
    arm = wheelhouse.manylinux_tags("aarch64")
    assert "manylinux2014_aarch64" in arm and "manylinux1_aarch64" not in arm
    assert wheelhouse.TARGETS["windows-x64"] == ["win_amd64"]
    assert set(wheelhouse.TARGETS) == {"windows-x64", "linux-x86_64", "linux-aarch64"}


def _fake_wheel(folder: Path, filename: str, requires: list[str]) -> None:
    name, version = filename.split("-")[:2]
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(folder / filename, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", meta)


def test_missing_follows_the_markers_of_the_target_not_of_this_machine(tmp_path):
    """pip download --platform win_amd64 on Linux leaves out psycopg's
    ``tzdata; sys_platform == "win32"`` (it evaluates markers here): the walk finds it, and
    a requirement for newer Pythons only, and an extra's, and a wheel for the wrong
    platform or Python does not count."""
    _fake_wheel(tmp_path, "grassroots_tui-1.0-py3-none-any.whl", ["db[binary]>=3", "plain"])
    _fake_wheel(
        tmp_path,
        "db-3.1-py3-none-any.whl",
        [
            'tzdata; sys_platform == "win32"',
            'backport; python_version < "3.13"',
            'db-binary==3.1; extra == "binary"',
        ],
    )
    _fake_wheel(tmp_path, "plain-1.0-py3-none-any.whl", [])
    _fake_wheel(tmp_path, "backport-1.0-py3-none-any.whl", [])
    _fake_wheel(tmp_path, "db_binary-3.1-cp311-cp311-manylinux_2_17_x86_64.whl", [])
    _fake_wheel(tmp_path, "db_binary-3.1-cp311-cp311-win_amd64.whl", [])

    def names(target: str, python: str) -> list[str]:
        return [r.name for r in wheelhouse.missing(tmp_path, target, python)]

    assert names("linux-x86_64", "3.11") == []
    assert names("windows-x64", "3.11") == ["tzdata"]
    assert names("linux-aarch64", "3.11") == ["db-binary"]  # only x86_64 and Windows wheels
    assert names("linux-x86_64", "3.13") == ["db-binary"]  # no cp313 wheel; no backport needed
    _fake_wheel(tmp_path, "tzdata-2026.1-py2.py3-none-any.whl", [])
    assert names("windows-x64", "3.11") == []


def test_supported_pythons_start_at_requires_python_and_include_the_tested_one():
    pythons = wheelhouse.supported_pythons()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={pythons[0]}"
    minors = [int(v.split(".")[1]) for v in pythons]
    assert minors == list(range(minors[0], minors[0] + len(minors))), pythons
    assert "{}.{}".format(*sys.version_info[:2]) in pythons


def test_install_bat_is_ascii_crlf_and_installs_as_install_sh_does(tmp_path):
    wheelhouse.write_scripts(tmp_path, ["3.11", "3.12"], "9.9.9")
    raw = (tmp_path / "install.bat").read_bytes()
    assert raw.isascii()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 20  # CRLF everywhere
    text = raw.decode()
    assert "@" not in text.replace("@echo off", "").replace("@(", "")  # every placeholder
    assert 'set "PYTHONS=3.11 3.12"' in text and "for %%v in (3.12 3.11)" in text
    labels = set(re.findall(r"^:(\w+)", text, re.M))
    assert set(re.findall(r"goto (\w+)", text)) <= labels, labels
    shell = (tmp_path / "install.sh").read_text(encoding="utf-8")
    assert 'pythons="3.11 3.12"' in shell and "9.9.9" in shell
    for script in (text, shell):
        assert "--no-index" in script and "--only-binary=:all:" in script
        assert "--find-links" in script and "grassroots-tui" in script
    assert os.access(tmp_path / "install.sh", os.X_OK)
    done = subprocess.run(["sh", "-n", str(tmp_path / "install.sh")], capture_output=True)
    assert done.returncode == 0, done.stderr


def test_the_wheelhouse_installs_offline_into_a_fresh_environment_and_runs(tmp_path):
    assert HERE_WHEELS.is_dir() and any(HERE_WHEELS.glob("*.whl")), (
        f"{HERE_WHEELS} is missing: `make test` fills it, or by itself "
        "`make .venv/wheelhouse-here/MANIFEST.txt` (this needs PyPI, once)"
    )
    out = tmp_path / "wheelhouse"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tools.wheelhouse", "--here", "--no-archive", "--no-index"]
        + ["--find-links", str(HERE_WHEELS), "--out", str(out)],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    built = time.monotonic() - started
    assert done.returncode == 0, (
        done.stdout + done.stderr + "\n(a dependency missing from .venv/wheelhouse-here? it is "
        "downloaded again by `make .venv/wheelhouse-here/MANIFEST.txt` when pyproject.toml "
        "changes)"
    )
    wheels = sorted(p.name for p in (out / "wheels").glob("*.whl"))
    assert any(n.startswith("grassroots_tui-") for n in wheels)
    assert any(n.startswith("pydantic_core-") for n in wheels)  # a compiled dependency
    python = "{}.{}".format(*sys.version_info[:2])
    assert wheelhouse.missing(out / "wheels", wheelhouse.this_target(), python) == []
    manifest = (out / "MANIFEST.txt").read_text(encoding="utf-8")
    for name in wheels:
        digest = hashlib.sha256((out / "wheels" / name).read_bytes()).hexdigest()
        assert f"{digest}  " in manifest and f"wheels/{name}" in manifest

    home = tmp_path / "home"
    home.mkdir()
    env = offline_env(HOME=str(home), PATH="/usr/bin:/bin", PYTHON=sys.executable)
    env.pop("XDG_DATA_HOME", None)
    env.pop("VIRTUAL_ENV", None)
    env["PIP_INDEX_URL"] = CLOSED + "/simple"  # install.sh must drop it (and --no-index anyway)
    started = time.monotonic()
    done = subprocess.run(
        ["sh", str(out / "install.sh")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    installed = time.monotonic() - started
    assert done.returncode == 0, done.stdout + done.stderr
    version = next(n.split("-")[1] for n in wheels if n.startswith("grassroots_tui-"))
    assert f"grassroots {version}" in done.stdout
    link = home / ".local" / "bin" / "grassroots"
    venv = home / ".local" / "share" / "grassroots-tui-venv"
    assert link.is_symlink() and Path(os.readlink(link)) == venv / "bin" / "grassroots"
    assert 'export PATH="$HOME/.local/bin:$PATH"' in (home / ".profile").read_text()
    print(f"built in {built:.1f} s, installed in {installed:.1f} s, {len(wheels)} wheels")

    # The installed program, found on the path as a user's shell would find it.
    env["PATH"] = f"{link.parent}:/usr/bin:/bin"
    store = tmp_path / "office" / "grassroots.json"
    for command in (["demo", "--db", str(store)], ["check", "--db", str(store)]):
        done = subprocess.run(
            ["grassroots", *command],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert store.is_file()
    # It runs from the new environment, not from this checkout, with only the folder's wheels.
    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import grassroots_tui; print(grassroots_tui.__file__)",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr
    frozen = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()
    norm = {re.sub(r"[-_.]+", "_", n.split("-")[0]).lower() for n in wheels}
    names = {re.sub(r"[-_.]+", "_", line.split("==")[0]).lower() for line in frozen}
    assert "grassroots_tui" in names and "textual" in names
    # venv's own pip (and setuptools, on 3.11) come with Python, not from the folder
    assert names - norm <= {"pip", "setuptools"}, names - norm


def test_install_sh_refuses_to_replace_a_folder_that_is_not_an_environment(tmp_path):
    wheelhouse.write_scripts(tmp_path, ["{}.{}".format(*sys.version_info[:2])], "9.9.9")
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "ledger.xlsx").write_bytes(b"keep me")
    done = subprocess.run(
        ["sh", str(tmp_path / "install.sh")],
        env=offline_env(HOME=str(tmp_path), GRASSROOTS_VENV=str(precious), PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "不是 Python 环境" in done.stderr and "not a Python environment" in done.stderr
    assert (precious / "ledger.xlsx").read_bytes() == b"keep me"


def test_install_sh_names_the_pythons_it_has_wheels_for(tmp_path):
    wheelhouse.write_scripts(tmp_path, ["3.99"], "9.9.9")
    done = subprocess.run(
        ["sh", str(tmp_path / "install.sh")],
        env=offline_env(HOME=str(tmp_path), PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "3.99" in done.stderr and "{}.{}".format(*sys.version_info[:2]) in done.stderr
    assert not (tmp_path / ".local").exists()
