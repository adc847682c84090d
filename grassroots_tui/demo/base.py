"""The demo generator's state: one station while it is generated (:class:`_Ctx`), and the
plumbing every part of the generator uses (:class:`_DemoBase`: seeded random sources,
the scale, the documents made so far)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from grassroots_tui.demo.common import ONE_DAY, _Rand
from grassroots_tui.demo.homes import _Home
from grassroots_tui.demo.names import _names
from grassroots_tui.demo.sample_data import load
from grassroots_tui.models import Document, HardshipCase, Staff, Station

_D = TypeVar("_D", bound=Document)


@dataclass
class _Ctx:
    """One station while it is being generated."""

    code: str
    spec: dict
    rural: bool
    station: Station
    head: Staff
    workers: list[Staff]
    homes: list[_Home] = field(default_factory=list)
    cases: list[HardshipCase] = field(default_factory=list)
    case_homes: dict[str, _Home] = field(default_factory=dict)
    visited_ytd: set[str] = field(default_factory=set)
    slips: list[dict[str, Any]] = field(default_factory=list)
    #: (slip id, due date) of every slip still open, for supervision rectifications.
    open_slips: list[tuple[str, date]] = field(default_factory=list)
    lead_homes: list[_Home] = field(default_factory=list)

    @property
    def staff(self) -> list[Staff]:
        return [self.head, *self.workers]

    @property
    def kind(self) -> str:
        return "rural" if self.rural else "city"


class _DemoBase:
    """The generator's state and plumbing; the parts of the demo add to it."""

    def __init__(self, today: date, seed: int, scale: float) -> None:
        self.today = today
        self.yesterday = today - ONE_DAY
        self.seed = seed
        self.scale = scale
        self.win_start = today - timedelta(days=364)
        self.year_start = date(today.year, 1, 1)
        self.names = _names()
        self.places = load("places")
        self.visit_texts = load("visits")
        self.slip_texts = load("slips")
        self.hardship_texts = load("hardship")
        self.work_texts = load("station_work")
        self.out: dict[str, list[Document]] = defaultdict(list)
        self.supervisors: list[Staff] = []
        self.leaders: list[Staff] = []

    # -- plumbing

    def rng(self, *parts: object) -> _Rand:
        return _Rand("|".join(["demo", str(self.seed), *map(str, parts)]))

    def count(self, base: float, minimum: int = 1) -> int:
        return max(minimum, round(base * self.scale))

    def add(self, doc: _D) -> _D:
        self.out[doc.KIND].append(doc)
        return doc
