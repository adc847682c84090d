"""The whole demo: the street office's staff, each station with everything in it, and
:func:`build_demo`."""

from __future__ import annotations

from datetime import date, time

from grassroots_tui.demo.base import _Ctx
from grassroots_tui.demo.common import DEMO_STATIONS
from grassroots_tui.demo.hardship import _Hardship
from grassroots_tui.demo.names import _mobile
from grassroots_tui.demo.rosters import _Rosters
from grassroots_tui.demo.slips import _Slips
from grassroots_tui.demo.supervision import _Supervision
from grassroots_tui.models import KINDS, Document, Staff, StaffRole, Station


class _Demo(_Hardship, _Slips, _Rosters, _Supervision):
    """The demo generator: each part adds its documents."""

    def build(self) -> list[Document]:
        self._street_staff()
        contexts = [self._station(code) for code in DEMO_STATIONS]
        self._supervision(contexts)
        self._media(contexts)
        return [doc for kind in KINDS for doc in self.out.get(kind, [])]

    # -- people

    def _street_staff(self) -> None:
        rng = self.rng("street-staff")
        street = self.places["street_staff"]
        prefixes = self.places["mobile_prefixes"]
        for role, specs, target in (
            (StaffRole.SUPERVISOR, street["supervisors"], self.supervisors),
            (StaffRole.LEADER, street["leaders"], self.leaders),
        ):
            for spec in specs:
                born = rng.randint(1966, 1984)
                target.append(
                    self.add(
                        Staff(
                            id=rng.uid(),
                            name=self.names.person(rng, born, rng.chance(0.4)),
                            role=role,
                            phone=_mobile(rng, prefixes),
                            departments=spec["departments"],
                        )
                    )
                )

    def _station(self, code: str) -> _Ctx:
        spec = self.places["stations"][code]
        rng = self.rng(code, "station")
        start, end = (time.fromisoformat(t) for t in spec["working_hours"])
        station_id = rng.uid()
        station = self.add(
            Station(
                id=station_id,
                station_id=station_id,
                name=spec["name"],
                code=code,
                community=spec["community"],
                street_office=self.places["street_office"],
                working_start=start,
                working_end=end,
                slip_number_format=spec["slip_number_format"],
                phone=spec["phone"],
                address=spec["address"],
            )
        )
        prefixes = self.places["mobile_prefixes"]

        def staff(role: StaffRole, born: tuple[int, int], departments: list[str]) -> Staff:
            return self.add(
                Staff(
                    id=rng.uid(),
                    station_id=station_id,
                    name=self.names.person(rng, rng.randint(*born), rng.chance(0.5)),
                    role=role,
                    phone=_mobile(rng, prefixes),
                    departments=departments,
                )
            )

        head = staff(StaffRole.HEAD, (1970, 1984), [f"{spec['community']}居委会"])
        workers = [
            staff(
                StaffRole.WORKER,
                (1976, 1998),
                ["民情代办点"] if spec["type"] == "rural" and i == 0 else [],
            )
            for i in range(spec["workers"])
        ]
        ctx = _Ctx(code, spec, spec["type"] == "rural", station, head, workers)
        self._households(ctx)
        self._hardship(ctx)
        self._appointments(ctx)
        self._slips(ctx)
        self._general_visits(ctx)
        self._roster(ctx)
        self._three_threes(ctx)
        return ctx


def build_demo(today: date, seed: int = 2026, scale: float = 1.0) -> list[Document]:
    """Every document of the demo store, validated model objects, in ``KINDS`` order.

    Pure and deterministic: the same ``today``, ``seed`` and ``scale`` give identical
    documents (ids included). Dates lie within the twelve months up to ``today``, except
    future duty shifts, appointments and due dates. Nothing that has a time of day and
    has happened (a visit, a supervision check, an appointment asked for) lies on
    ``today``, so no such time is later than the moment the demo is written, at any hour.
    """
    if not scale > 0:
        raise ValueError(f"scale 必须大于 0（收到 {scale}）")
    return _Demo(today, seed, scale).build()
