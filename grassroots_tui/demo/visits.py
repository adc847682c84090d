"""Visits of all four kinds (with their problems) and appointments (预约走访)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from grassroots_tui.demo.base import _Ctx, _DemoBase
from grassroots_tui.demo.common import CST, ONE_DAY, _minutes, _Rand, _t, is_workday
from grassroots_tui.demo.homes import _Home
from grassroots_tui.models import (
    Appointment,
    AppointmentState,
    ProblemItem,
    ProblemState,
    Staff,
    Visit,
    VisitKind,
)

_APPOINTMENT_PLAN: dict[str, dict[str, int]] = {
    "city": {"done": 18, "missed": 3, "cancelled": 2, "today": 2, "future": 3},
    "rural": {"done": 4, "missed": 1, "cancelled": 1, "today": 1, "future": 1},
}


class _Visits(_DemoBase):
    """Visits and appointments."""

    # -- visits

    def _times(self, rng: _Rand, ctx: _Ctx, mode: str) -> tuple[time, time]:
        ws, we = _minutes(ctx.station.working_start), _minutes(ctx.station.working_end)
        if mode == "night":
            start, length = rng.randrange(19 * 60, 20 * 60 + 31, 5), rng.randrange(25, 65, 5)
        elif mode == "evening":
            start, length = rng.randrange(18 * 60 + 30, 20 * 60 + 1, 5), rng.randrange(15, 50, 5)
        elif mode == "weekend":
            start, length = rng.randrange(9 * 60 + 30, 16 * 60 + 1, 5), rng.randrange(15, 50, 5)
        else:
            if rng.chance(0.55):
                start = rng.randrange(ws + 10, 11 * 60 + 20, 5)
            else:
                start = rng.randrange(14 * 60 + 30, we - 50, 5)
            length = rng.randrange(15, 45, 5)
        return _t(start), _t(start + length)

    def _pick(self, rng: _Rand, ctx: _Ctx, texts: dict[str, list[str]]) -> str:
        pool = texts.get("common", []) + texts.get(ctx.kind, [])
        return rng.choice(pool)

    def _random_problems(self, rng: _Rand, ctx: _Ctx, home: _Home, day: date) -> list[ProblemItem]:
        n = rng.choices([0, 1, 2], weights=[62, 31, 7])[0]
        problems = []
        age = (self.today - day).days
        for _ in range(n):
            category = self._category(rng, ctx)
            text = rng.choice(self.slip_texts["categories"][category]["problems"])
            if age > 30:
                state = rng.weighted({"solved_on_spot": 45, "solved_later": 50, "pending": 5})
            else:
                state = rng.weighted({"solved_on_spot": 40, "solved_later": 25, "pending": 35})
            solved_on = None
            if state == "solved_later":
                if age < 2:
                    state = "pending"
                else:
                    solved_on = day + timedelta(days=rng.randint(1, min(25, age - 1)))
            problems.append(
                ProblemItem(
                    id=rng.uid(),
                    category=category,
                    description=text.replace("{place}", home.place),
                    state=ProblemState(state),
                    solved_on=solved_on,
                )
            )
        return problems

    def _category(self, rng: _Rand, ctx: _Ctx) -> str:
        categories = self.slip_texts["categories"]
        return rng.weighted({k: v["weight"][ctx.kind] for k, v in categories.items()})

    def _visit(
        self,
        ctx: _Ctx,
        rng: _Rand,
        home: _Home,
        day: date,
        *,
        kind: VisitKind = VisitKind.DOOR,
        mode: str = "day",
        visitors: list[Staff] | None = None,
        problems: list[ProblemItem] | None = None,
        appointment_id: str | None = None,
        visit_id: str | None = None,
        start: time | None = None,
        end: time | None = None,
        hardship: bool = False,
        note: str = "",
    ) -> Visit:
        texts = self.visit_texts
        if start is None or end is None:
            start, end = self._times(rng, ctx, mode)
        if visitors is None:
            first = rng.choice(ctx.workers if rng.chance(0.85) else ctx.staff)
            visitors = [first]
            if kind in (VisitKind.JOINT, VisitKind.NIGHT) or rng.chance(0.3):
                second = rng.choice(ctx.staff)
                if second is not first:
                    visitors.append(second)
        departments: list[str] = []
        if kind is VisitKind.JOINT:
            departments = rng.sample(texts["joint_departments"], rng.choice([1, 1, 2]))
        if hardship or home.id in ctx.case_homes:
            hardships = self._pick(rng, ctx, texts["hardships"])
        elif rng.chance(0.55):
            hardships = rng.choice(texts["hardships"]["none"])
        else:
            hardships = self._pick(rng, ctx, texts["hardships"])
        notes = [note] if note else []
        off_hours = (
            not is_workday(day)
            or start < ctx.station.working_start
            or (end > ctx.station.working_end)
        )
        if kind is VisitKind.NIGHT:
            notes.append(rng.choice(texts["notes"]["night"]))
        elif kind is VisitKind.JOINT:
            notes.append(rng.choice(texts["notes"]["joint"]))
        elif off_hours and rng.chance(0.6):
            when = "evening" if is_workday(day) else "weekend"
            notes.append(rng.choice(texts["notes"]["off_hours"][when]))
        elif rng.chance(0.2):
            notes.append(rng.choice(texts["notes"]["common"]))
        if problems is None:
            problems = self._random_problems(rng, ctx, home, day)
        visit = Visit(
            id=visit_id or rng.uid(),
            station_id=ctx.station.id,
            date=day,
            start_time=start,
            end_time=end,
            visit_kind=kind,
            household_id=home.id,
            visitor_ids=[v.id for v in visitors],
            joint_departments=departments,
            greeting=self._pick(rng, ctx, texts["greeting"]),
            hardships=hardships,
            opinions=self._pick(rng, ctx, texts["opinions"]) if rng.chance(0.45) else "",
            suggestions=self._pick(rng, ctx, texts["suggestions"]) if rng.chance(0.35) else "",
            notes="".join(notes),
            appointment_id=appointment_id,
            problems=problems,
        )
        self.add(visit)
        if day >= self.year_start:
            ctx.visited_ytd.add(home.id)
        return visit

    def _general_mode(self, rng: _Rand, ctx: _Ctx) -> tuple[VisitKind, str, bool | None]:
        """(kind, time mode, wanted workday) of an ordinary visit."""
        r = rng.random()
        if ctx.rural:
            if r < 0.08:
                return VisitKind.JOINT, "day", True
            if r < 0.28:
                return VisitKind.NIGHT, "night", None
            if r < 0.32:
                return VisitKind.DOOR, "weekend", False
            return VisitKind.DOOR, "day", True
        if r < 0.06:
            return VisitKind.JOINT, "day", True
        if r < 0.13:
            return VisitKind.DOOR, "evening", True
        if r < 0.19:
            return VisitKind.DOOR, "weekend", False
        return VisitKind.DOOR, "day", True

    def _general_visit(self, ctx: _Ctx, rng: _Rand, home: _Home, lo: date, hi: date) -> None:
        kind, mode, workday = self._general_mode(rng, ctx)
        day = rng.day_where(lo, hi, workday)
        if workday is True and not is_workday(day):
            mode = "weekend"
        self._visit(ctx, rng, home, day, kind=kind, mode=mode)

    def _general_visits(self, ctx: _Ctx) -> None:
        """Ordinary visits until about 80 % of households are visited this year."""
        rng = self.rng(ctx.code, "visits")
        n = len(ctx.homes)
        lo, hi = self.year_start, self.yesterday
        if hi >= lo:
            elapsed = (self.today - self.year_start).days
            ramp = min(1.0, elapsed / 90)
            target = round(n * rng.uniform(0.775, 0.83) * ramp)
            unvisited = [h for h in ctx.homes if h.id not in ctx.visited_ytd]
            need = max(0, min(len(unvisited), target - len(ctx.visited_ytd)))
            first_visits = rng.sample(unvisited, need)
            for home in first_visits:
                self._general_visit(ctx, rng, home, lo, hi)
            visited = [h for h in ctx.homes if h.id in ctx.visited_ytd]
            for home in visited:
                if rng.chance(0.25):
                    self._general_visit(ctx, rng, home, lo, hi)
        # The part of the twelve months that lies in the previous year.
        prior_hi = min(self.year_start - ONE_DAY, self.yesterday)
        if prior_hi >= self.win_start:
            days = (prior_hi - self.win_start).days + 1
            for _ in range(round(n * 0.8 * days / 365 * 1.25)):
                home = rng.choice(ctx.homes)
                self._general_visit(ctx, rng, home, self.win_start, prior_hi)

    # -- appointments

    def _appointments(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "appointments")
        texts = self.visit_texts["appointment"]
        plan = _APPOINTMENT_PLAN[ctx.kind]
        today = self.today
        for outcome, base in plan.items():
            for _ in range(self.count(base)):
                home = rng.choice(ctx.homes)
                if outcome == "done" or outcome == "missed":
                    planned = rng.day(self.win_start + timedelta(days=7), self.yesterday)
                elif outcome == "cancelled":
                    planned = rng.day(self.win_start + timedelta(days=7), today + timedelta(days=5))
                elif outcome == "today":
                    planned = today
                else:
                    planned = rng.day(today + ONE_DAY, today + timedelta(days=10))
                if ctx.rural:
                    minutes = rng.choice([19 * 60 + 30, 20 * 60, 15 * 60])
                elif not is_workday(planned):
                    minutes = rng.randrange(9 * 60 + 30, 16 * 60 + 1, 30)
                else:
                    minutes = rng.choice([18 * 60 + 30, 19 * 60, 19 * 60 + 30, 10 * 60, 15 * 60])
                asked = planned - timedelta(days=rng.randint(1, 6))
                asked = min(asked, today - ONE_DAY)
                requested_at = datetime.combine(
                    asked, _t(rng.randrange(8 * 60 + 40, 17 * 60, 5)), tzinfo=CST
                )
                requested_by = home.head
                if rng.chance(0.2):
                    requested_by = self.names.person(
                        rng, home.born.year + 28, rng.chance(0.5), home.surname
                    )
                appointment_id = rng.uid()
                state = {
                    "done": AppointmentState.DONE,
                    "missed": AppointmentState.MISSED,
                    "cancelled": AppointmentState.CANCELLED,
                }.get(outcome, AppointmentState.PENDING)
                reason = rng.choice(texts["reasons"])
                note = ""
                if state is AppointmentState.MISSED:
                    note = rng.choice(texts["missed_notes"])
                elif state is AppointmentState.CANCELLED:
                    note = rng.choice(texts["cancelled_notes"])
                visit_id = None
                if state is AppointmentState.DONE:
                    visit_id = rng.uid()
                    start = _t(minutes)
                    end = _t(minutes + rng.randrange(20, 55, 5))
                    self._visit(
                        ctx,
                        rng,
                        home,
                        planned,
                        kind=VisitKind.APPOINTMENT,
                        visit_id=visit_id,
                        appointment_id=appointment_id,
                        start=start,
                        end=end,
                        note=f"按预约走访单上门：{reason}。",
                    )
                self.add(
                    Appointment(
                        id=appointment_id,
                        station_id=ctx.station.id,
                        household_id=home.id,
                        requested_by=requested_by,
                        requested_at=requested_at,
                        planned_date=planned,
                        planned_time=_t(minutes),
                        reason=reason,
                        state=state,
                        visit_id=visit_id,
                        note=note,
                    )
                )
