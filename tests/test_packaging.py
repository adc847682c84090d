"""What a user's installer reads from the package (issue #21): the licence, the metadata,
the entry point, the changelog. The wheel is built from the working tree without network
(``pip wheel --no-deps --no-build-isolation --no-index``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from grassroots_tui import __version__
from tools.wheelhouse import supported_pythons

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "--wheel-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = out.glob("grassroots_tui-*.whl")
    return built


def test_the_licence_is_mit_in_the_tree_and_in_the_wheel(wheel):
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 grassroots-tui contributors" in text
    with zipfile.ZipFile(wheel) as archive:
        name = f"grassroots_tui-{__version__}.dist-info/licenses/LICENSE"
        assert archive.read(name).decode("utf-8") == text


def test_the_metadata_says_what_a_user_needs(wheel):
    with zipfile.ZipFile(wheel) as archive:
        info = f"grassroots_tui-{__version__}.dist-info"
        meta = Parser().parsestr(archive.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = archive.read(f"{info}/entry_points.txt").decode("utf-8")
        names = archive.namelist()
    assert meta["Name"] == "grassroots-tui"
    assert meta["Version"] == __version__  # the same as grassroots --version
    assert meta["License-Expression"] == "MIT"
    assert meta["License-File"] == "LICENSE"
    classifiers = meta.get_all("Classifier")
    listed = [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    assert listed == supported_pythons() and listed[0] == "3.11"
    assert meta["Requires-Python"] == f">={listed[0]}"
    assert "Operating System :: Microsoft :: Windows" in classifiers
    assert "Operating System :: POSIX :: Linux" in classifiers
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("shtab") for r in requires)
    assert "grassroots = grassroots_tui.cli:main" in entry_points
    assert "grassroots_tui/sample_data/" in "\n".join(names)  # the demo needs it
    assert not [n for n in names if n.startswith(("tests/", "tools/", "bench/"))]


def test_the_changelog_covers_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)", text, re.M)
    assert headings and headings[0] == __version__, headings
    assert "#21" in text
