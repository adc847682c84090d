"""pyproject.toml's dependency bounds admit what is installed and what our dependencies
themselves need.

``rich>=13`` once let pip pair Textual 8 (which needs rich>=14.2.0) with a rich it cannot
use, and ``chinesecalendar>=1.10`` admitted a release without 2026's holidays."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as metadata
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def declared() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [Requirement(text) for text in project["dependencies"]]
    return {r.name.lower(): r for r in requirements}


def lowest(specifier: SpecifierSet) -> Version:
    """The lower bound (>= or ==) a specifier sets; every dependency of ours has one."""
    floors = [Version(s.version) for s in specifier if s.operator in (">=", "==", "~=")]
    assert floors, f"no lower bound in {specifier}"
    return max(floors)


def test_every_dependency_admits_the_installed_version_and_has_an_upper_bound() -> None:
    for name, requirement in declared().items():
        installed = Version(metadata.version(name))
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{name} {installed} is installed but pyproject says {requirement.specifier}"
        )
        assert any(s.operator == "<" for s in requirement.specifier), f"{name}: no upper bound"


def test_our_bounds_sit_inside_what_our_dependencies_require() -> None:
    """For each dependency of ours that also requires a package we declare (Textual:
    rich, platformdirs), the two ranges intersect, and our lowest version is one it
    accepts, so that pip can never pair them with a version the dependency cannot use."""
    ours = declared()
    checked = []
    for name in ours:
        for text in metadata.requires(name) or []:
            theirs = Requirement(text)
            other = theirs.name.lower()
            if other not in ours or (theirs.marker and not theirs.marker.evaluate({"extra": ""})):
                continue
            mine = ours[other].specifier
            floor = lowest(mine)
            installed = Version(metadata.version(other))
            both = mine & theirs.specifier
            assert both.contains(installed, prereleases=True), (name, other, both)
            assert theirs.specifier.contains(floor, prereleases=True), (
                f"{name} needs {other}{theirs.specifier}, but pyproject allows {other}{mine} "
                f"down to {floor}"
            )
            checked.append(f"{name} → {other}{theirs.specifier} ⊇ ours {mine}")
    print("\n".join(checked))
    assert any(c.startswith("textual → rich") for c in checked), checked


def test_chinesecalendar_has_the_years_the_bound_promises() -> None:
    """1.11 is the first release with 2026; the installed one must know 2026's holidays."""
    assert lowest(declared()["chinesecalendar"].specifier) >= Version("1.11")
    import chinese_calendar

    assert chinese_calendar.is_holiday(dt.date(2026, 10, 1))  # 国庆节
    assert max(chinese_calendar.holidays).year >= 2026
