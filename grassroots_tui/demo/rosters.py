"""Duty shifts and leave."""

from __future__ import annotations

from datetime import date, timedelta

from grassroots_tui.demo.base import _Ctx, _DemoBase
from grassroots_tui.demo.common import ONE_DAY, _next_workday, _workdays
from grassroots_tui.models import DutyShift, LeaveDecision, LeaveKind, LeaveRequest, Staff


class _Rosters(_DemoBase):
    """The duty roster and leave."""

    # -- duty roster and leave

    def _roster(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "roster")
        texts = self.work_texts
        today = self.today
        days = _workdays(today - timedelta(days=61), today + timedelta(days=31))
        people = ctx.staff
        shifts: dict[date, list[Staff]] = {}
        notes: dict[date, str] = {}
        for i, day in enumerate(days):
            shifts[day] = [people[(2 * i) % len(people)], people[(2 * i + 1) % len(people)]]
            notes[day] = rng.choice(texts["duty_notes"]["regular"])
        approver_names = [s.name for s in self.supervisors]

        def duty_day(who: Staff, lo: date, hi: date) -> date | None:
            candidates = [d for d in days if lo <= d <= hi and who in shifts[d]]
            return rng.choice(candidates) if candidates else None

        def leave(
            who: Staff,
            lo: date,
            hi: date,
            kind: LeaveKind,
            decision: LeaveDecision,
            *,
            late: bool = False,
            length: int = 1,
            reason: str | None = None,
            substitute: bool = True,
        ) -> None:
            start = duty_day(who, lo, hi)
            if start is None:
                return
            end = start
            for _ in range(length - 1):
                end = _next_workday(end + ONE_DAY)
            requested = start + ONE_DAY if late else start - timedelta(days=rng.randint(2, 4))
            requested = min(requested, today)
            sub = None
            if substitute:
                busy = {s.id for d in days if start <= d <= end for s in shifts[d]}
                free = [s for s in people if s.id not in busy and s is not who]
                sub = rng.choice(free or [s for s in people if s is not who])
            self.add(
                LeaveRequest(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    staff_id=who.id,
                    start_date=start,
                    end_date=end,
                    leave_kind=kind,
                    reason=reason or rng.choice(texts["leave"][kind.value]),
                    requested_on=requested,
                    approver=(
                        None
                        if decision is LeaveDecision.PENDING
                        else f"街道群工办 {rng.choice(approver_names)}"
                    ),
                    decision=decision,
                    substitute_id=sub.id if sub else None,
                )
            )
            if decision is LeaveDecision.APPROVED and sub is not None:
                for d in days:
                    if start <= d <= end and who in shifts[d]:
                        shifts[d] = [sub if s is who else s for s in shifts[d]]
                        notes[d] = texts["duty_notes"]["substitute"].format(
                            substitute=sub.name, absent=who.name, kind=kind.label
                        )

        workers = ctx.workers
        leave(
            workers[0],
            today - timedelta(days=40),
            today - timedelta(days=20),
            LeaveKind.PERSONAL,
            LeaveDecision.APPROVED,
        )
        leave(
            workers[1],
            today - timedelta(days=14),
            today - timedelta(days=3),
            LeaveKind.SICK,
            LeaveDecision.APPROVED,
            late=True,
            length=2,
        )
        leave(
            workers[2],
            today + timedelta(days=5),
            today + timedelta(days=20),
            LeaveKind.PERSONAL,
            LeaveDecision.APPROVED,
        )
        leave(
            workers[-1],
            today + timedelta(days=3),
            today + timedelta(days=25),
            LeaveKind.OTHER,
            LeaveDecision.PENDING,
        )
        if ctx.rural:
            leave(
                workers[0],
                today - timedelta(days=55),
                today - timedelta(days=42),
                LeaveKind.PERSONAL,
                LeaveDecision.REJECTED,
                reason=texts["leave"]["rejected_reason"],
                substitute=False,
            )
        for day in days:
            self.add(
                DutyShift(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    date=day,
                    staff_ids=[s.id for s in shifts[day]],
                    note=notes[day],
                )
            )
