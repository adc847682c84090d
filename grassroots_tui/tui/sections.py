"""The program's top-level sections, each a Textual mode with its own screen stack."""

from __future__ import annotations

from dataclasses import dataclass

from grassroots_tui.tui.commands import Cmd


@dataclass(frozen=True)
class Section:
    mode: str
    key: str

    @property
    def cmd(self) -> Cmd:
        return Cmd(f"go.{self.mode}", f"switch_section('{self.mode}')", self.key, footer=False)


SECTIONS = (
    Section("visits", "f2"),
    Section("households", "f3"),
    Section("slips", "f4"),
    Section("hardship", "f5"),
    Section("rosters", "f6"),
    Section("supervision", "f7"),
    Section("statistics", "f8"),
)
