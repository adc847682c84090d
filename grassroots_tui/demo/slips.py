"""Handoff slips in every state, with the replies, extensions, returns, reminders and
callbacks that match each one's state."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from grassroots_tui.demo.base import _Ctx
from grassroots_tui.demo.common import (
    ONE_DAY,
    _due,
    _next_workday,
    _prev_workday,
    _Rand,
    _workdays,
    _workdays_late,
    is_workday,
)
from grassroots_tui.demo.homes import _Home
from grassroots_tui.demo.visits import _Visits
from grassroots_tui.models import (
    HandoffSlip,
    ProblemItem,
    ProblemState,
    Reply,
    Satisfaction,
    SlipAcceptance,
    SlipCallback,
    SlipExtension,
    SlipIssue,
    SlipReminder,
    SlipReturn,
    SlipSource,
    SlipState,
    SlipWithdrawal,
    Staff,
    VisitKind,
)

_SLIP_PLAN: tuple[tuple[str, str | None, float], ...] = (
    # (outcome, timing of the due date relative to today, count at scale 1.0)
    ("drafted", None, 1),
    ("issued", "soon", 1),
    ("issued", "later", 1),
    ("issued", "over5", 1),
    ("accepted", "over5", 1),
    ("accepted", "over", 1),
    ("accepted", "today", 1),
    ("accepted", "soon", 1),
    ("accepted", "later", 2),
    ("extended", "later", 1),
    ("extended", "over", 1),
    ("returned", None, 1),
    ("withdrawn", None, 1),
    ("replied", None, 2),
    ("redo", "soon", 1),
    ("closed", None, 9),
    ("closed_late", None, 2),
    ("closed_redo", None, 1),
    ("closed_extended", None, 1),
)


class _Slips(_Visits):
    """Handoff slips and their steps."""

    # -- handoff slips

    def _timing_ok(self, due: date, timing: str) -> bool:
        today = self.today
        ahead = (due - today).days
        if timing == "over5":
            return 6 <= _workdays_late(due, today) <= 12
        if timing == "over":
            return ahead < 0 and 1 <= _workdays_late(due, today) <= 3
        if timing == "today":
            return ahead == 0
        if timing == "soon":
            return 1 <= ahead <= 3
        if timing == "later":
            return 4 <= ahead <= 12
        raise ValueError(timing)

    def _date_for(self, rng: _Rand, rule: str, timing: str, lo: date, hi: date) -> date:
        """A working day in [lo, hi] whose due date under ``rule`` meets ``timing``."""
        found = [d for d in _workdays(lo, hi) if self._timing_ok(_due(d, rule), timing)]
        if not found and timing == "today":  # today is a rest day: nothing falls due
            return self._date_for(rng, rule, "soon", lo, hi)
        if not found:
            found = _workdays(lo, hi) or [hi]
        return rng.choice(found)

    def _slips(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "slips")
        plan: list[dict[str, Any]] = []
        for outcome, timing, base in _SLIP_PLAN:
            for _ in range(self.count(base)):
                plan.append({"outcome": outcome, "timing": timing})
        # A household that petitions twice about the same thing, under one lead official.
        repeat_home = rng.choice([h for h in ctx.homes if h.id not in ctx.case_homes])
        repeat_category = "拆迁安置" if ctx.rural else "物业纠纷"
        lead = rng.choice(self.leaders)
        first = self._slip(
            ctx,
            rng,
            "closed",
            None,
            home=repeat_home,
            category=repeat_category,
            lead=lead,
            source=SlipSource.WALK_IN,
            satisfaction=Satisfaction.BASICALLY_SATISFIED,
            lo=self.win_start + timedelta(days=20),
            hi=self.today - timedelta(days=150),
        )
        self._slip(
            ctx,
            rng,
            "accepted",
            "later",
            home=repeat_home,
            category=repeat_category,
            lead=lead,
            source=SlipSource.WALK_IN,
            repeat_of=first["issue_date"],
        )
        for item in plan:
            self._slip(ctx, rng, item["outcome"], item["timing"])
        # Numbers in the station's format, per year, in order of issue.
        issued = sorted(
            (s for s in ctx.slips if s["issue_date"] is not None),
            key=lambda s: (s["issue_date"], s["id"]),
        )
        seq: Counter[int] = Counter()
        for fields in issued:
            year = fields["issue_date"].year
            seq[year] += 1
            fields["number"] = ctx.station.slip_number(year, seq[year])
        for fields in ctx.slips:
            for doc in _slip_and_steps(fields, self.today):
                self.add(doc)

    def _slip(
        self,
        ctx: _Ctx,
        rng: _Rand,
        outcome: str,
        timing: str | None,
        *,
        home: _Home | None = None,
        category: str | None = None,
        lead: Staff | None = None,
        source: SlipSource | None = None,
        satisfaction: Satisfaction | None = None,
        repeat_of: date | None = None,
        lo: date | None = None,
        hi: date | None = None,
    ) -> dict[str, Any]:
        today, win = self.today, self.win_start
        texts = self.slip_texts
        category = category or self._category(rng, ctx)
        cat = texts["categories"][category]
        sid = rng.uid()
        rule = "15日"
        if category in ("环境卫生", "城市管理") and rng.chance(0.2):
            rule = "10个工作日"
        if source is None:
            if outcome == "drafted":
                source = SlipSource.VISIT
            else:
                source = SlipSource(
                    rng.weighted(
                        {"visit": 50, "walk_in": 25, "hotline": 10, "street_office": 15}
                        if ctx.rural
                        else {"visit": 55, "hotline": 20, "street_office": 15, "walk_in": 10}
                    )
                )
        if home is None and source is not SlipSource.STREET_OFFICE:
            home = rng.choice(ctx.homes)
        place = (
            home.place
            if home
            else rng.choice(ctx.spec["groups"] if ctx.rural else ctx.spec["compounds"])["name"]
        )
        index = rng.randrange(len(cat["problems"]))
        problem_text = cat["problems"][index].replace("{place}", place)
        description = problem_text + rng.choice(cat["details"])
        prefix = {
            SlipSource.STREET_OFFICE: "街道群工办转交：",
            SlipSource.HOTLINE: "12345热线转办：",
            SlipSource.WALK_IN: "群众到民情代办点反映：",
        }.get(source, "")
        description = prefix + description
        if repeat_of is not None:
            description += texts["repeat_note"].format(
                date=f"{repeat_of.year}年{repeat_of.month}月{repeat_of.day}日"
            )
        title = cat["titles"][min(index, len(cat["titles"]) - 1)]
        if home is not None and "{place}" in cat["problems"][index]:
            title = f"{place}{title}"
        if lead is None:
            share = 0.6 if category in ("拆迁安置", "治安维稳") else 0.12
            if rng.chance(share):
                lead = rng.choice(self.leaders)
        supervisors = [s.name for s in self.supervisors]
        worker_names = [s.name for s in ctx.staff]

        def reply(day: date, redo: bool = False) -> None:
            self.add(
                Reply(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    reply_date=day,
                    result=rng.choice(cat["results"]),
                    policy_basis=rng.choice(cat["policy"]),
                    handler=self.names.adult(rng),
                    signer=self.names.adult(rng, 1965, 1980),
                    is_redo=redo,
                )
            )

        def callback(day: date, how: Satisfaction) -> None:
            self.add(
                SlipCallback(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    date=day,
                    satisfaction=how,
                    by=rng.choice(worker_names),
                    note=rng.choice(texts["callback_notes"][how.value]),
                )
            )

        def reminder(day: date, due: date) -> None:
            late = max(0, (day - due).days)
            notes = texts["reminder_notes"]["overdue" if late else "warning"]
            self.add(
                SlipReminder(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    sent_on=day,
                    by=rng.choice(supervisors),
                    days_overdue=late,
                    note=rng.choice(notes),
                )
            )

        def extension(requested: date, new_due: date, original: date) -> None:
            self.add(
                SlipExtension(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    requested_on=requested,
                    reason=rng.choice(texts["extension_reasons"]),
                    approver=rng.choice([*supervisors, *(s.name for s in self.leaders)]),
                    new_due_date=new_due,
                    late=requested > original,
                )
            )

        def happy() -> Satisfaction:
            return satisfaction or (
                Satisfaction.SATISFIED if rng.chance(0.7) else Satisfaction.BASICALLY_SATISFIED
            )

        issue: date | None
        due: date | None = None
        original: date | None = None
        state: SlipState
        lo = lo or win
        if outcome == "drafted":
            issue, state = None, SlipState.DRAFTED
        elif outcome in ("issued", "accepted"):
            assert timing is not None
            issue = self._date_for(rng, rule, timing, today - timedelta(days=60), today)
            due = _due(issue, rule)
            state = SlipState.ISSUED if outcome == "issued" else SlipState.ACCEPTED
            if due < today:
                first = min(_next_workday(due + ONE_DAY), today)
                reminder(first, due)
                if timing == "over5":
                    reminder(min(_next_workday(first + timedelta(days=5)), today), due)
            elif (due - today).days <= 3 and rng.chance(0.5):
                reminder(max(issue, today - timedelta(days=rng.randint(0, 1))), due)
        elif outcome == "replied":
            issue = rng.choice(_workdays(today - timedelta(days=25), today - timedelta(days=4)))
            due = _due(issue, rule)
            reply(rng.day(issue + ONE_DAY, min(due, self.yesterday)))
            state = SlipState.REPLIED
        elif outcome == "returned":
            issue = rng.choice(_workdays(today - timedelta(days=40), today - timedelta(days=3)))
            due = _due(issue, rule)
            self.add(
                SlipReturn(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    slip_id=sid,
                    returned_on=min(issue + timedelta(days=rng.randint(1, 4)), today),
                    reason=rng.choice(texts["return_reasons"]),
                )
            )
            state = SlipState.RETURNED
        elif outcome == "withdrawn":
            issue = rng.choice(_workdays(today - timedelta(days=60), today - timedelta(days=20)))
            due = _due(issue, rule)
            state = SlipState.WITHDRAWN
        elif outcome == "redo":
            assert timing is not None
            called = self._date_for(rng, rule, timing, today - timedelta(days=14), self.yesterday)
            replied = _prev_workday(called - timedelta(days=rng.randint(1, 3)))
            issue = _prev_workday(replied - timedelta(days=rng.randint(5, 10)))
            reply(replied)
            callback(called, Satisfaction.UNSATISFIED)
            due = _due(called, rule)
            state = SlipState.REDO
        elif outcome == "extended":
            if timing == "later":
                issue = rng.choice(_workdays(today - timedelta(days=30), today - timedelta(days=8)))
                original = _due(issue, rule)
                requested = original - timedelta(days=rng.randint(0, 3))
                requested = min(max(requested, issue + ONE_DAY), today)
                due = _next_workday(max(original, today) + timedelta(days=rng.randint(5, 12)))
            else:
                issue = rng.choice(
                    _workdays(today - timedelta(days=60), today - timedelta(days=35))
                )
                original = _due(issue, rule)
                requested = min(original + timedelta(days=rng.randint(1, 2)), today)
                due = _next_workday(original + timedelta(days=rng.randint(7, 10)))
                if due >= today:
                    due = _prev_workday(today - timedelta(days=3))
            extension(requested, due, original)
            if due < today:
                reminder(min(_next_workday(due + ONE_DAY), today), due)
            state = SlipState.EXTENDED
        else:  # the closed ones
            state = SlipState.CLOSED
            if outcome == "closed":
                top = hi or today - timedelta(days=20)
                issue = rng.choice(_workdays(lo, top) or [top])
                due = _due(issue, rule)
                replied = rng.day(issue + timedelta(days=2), min(due, today - timedelta(days=2)))
                reply(replied)
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), happy())
            elif outcome == "closed_late":
                issue = rng.choice(_workdays(lo, today - timedelta(days=45)))
                due = _due(issue, rule)
                reminder(_next_workday(due + ONE_DAY), due)
                replied = min(due + timedelta(days=rng.randint(3, 12)), today - timedelta(days=2))
                reply(replied)
                how = Satisfaction.BASICALLY_SATISFIED if rng.chance(0.7) else happy()
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), how)
            elif outcome == "closed_redo":
                issue = rng.choice(_workdays(lo, today - timedelta(days=75)))
                first_due = _due(issue, rule)
                replied = rng.day(issue + timedelta(days=3), first_due)
                reply(replied)
                called = replied + timedelta(days=rng.randint(1, 4))
                callback(called, Satisfaction.UNSATISFIED)
                due = _due(called, rule)
                again = rng.day(called + timedelta(days=3), due)
                reply(again, redo=True)
                callback(min(again + timedelta(days=rng.randint(1, 5)), today), happy())
            else:  # closed after an extension
                issue = rng.choice(_workdays(lo, today - timedelta(days=75)))
                original = _due(issue, rule)
                requested = max(issue + ONE_DAY, original - timedelta(days=rng.randint(1, 3)))
                due = _next_workday(original + timedelta(days=15))
                extension(requested, due, original)
                replied = rng.day(original + ONE_DAY, due)
                reply(replied)
                callback(min(replied + timedelta(days=rng.randint(1, 7)), today), happy())
        if state in (SlipState.ISSUED, SlipState.ACCEPTED, SlipState.EXTENDED, SlipState.REDO):
            assert due is not None
            ctx.open_slips.append((sid, due))

        visit_id = problem_id = None
        if source is SlipSource.VISIT:
            assert home is not None
            latest = self.yesterday if issue is None or issue >= today else issue
            if issue is None:
                seen = rng.day(today - timedelta(days=3), self.yesterday)
            else:
                seen = max(win, latest - timedelta(days=rng.randint(0, 3)))
            problem_id = rng.uid()
            problem = ProblemItem(
                id=problem_id,
                category=category,
                description=problem_text,
                state=ProblemState.HANDED_OFF,
                slip_id=sid,
            )
            joint = category in ("拆迁安置", "治安维稳") and rng.chance(0.3)
            night = ctx.rural and not joint and rng.chance(0.25)
            visit = self._visit(
                ctx,
                rng,
                home,
                seen,
                kind=VisitKind.JOINT if joint else VisitKind.NIGHT if night else VisitKind.DOOR,
                mode="night" if night else "day" if is_workday(seen) else "weekend",
                problems=[problem],
            )
            visit_id = visit.id
        if lead is not None and home is not None and home not in ctx.lead_homes:
            ctx.lead_homes.append(home)
        fields: dict[str, Any] = {
            "id": sid,
            "station_id": ctx.station.id,
            "number": None,
            "source": source,
            "category": category,
            "title": title[:100],
            "description": description,
            "household_id": home.id if home else None,
            "person_name": home.head if home else None,
            "handling_unit": (
                rng.choice(cat["units"]) if outcome != "drafted" or rng.chance(0.5) else None
            ),
            "assignee": self.names.adult(rng) if issue is not None else None,
            "lead_official": lead.id if lead else None,
            "responsible_person": rng.choice(worker_names) if lead else None,
            "issue_date": issue,
            "deadline_rule": rule,
            "due_date": due,
            "original_due_date": original,
            "state": state,
            "withdraw_reason": "当事人诉求已由社区协调解决，撤回交办"
            if outcome == "withdrawn"
            else "",
            "visit_id": visit_id,
            "problem_id": problem_id,
        }
        ctx.slips.append(fields)
        return fields


#: What the demo decides for each slip but a slip document does not keep: its steps do.
_WORKED_OUT = ("number", "issue_date", "due_date", "original_due_date", "state", "withdraw_reason")


def _step_id(slip_id: str, step: str) -> str:
    """A step's id, made from the slip's (so the random stream is the same as before)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"grassroots-demo:{slip_id}:{step}"))


def _slip_and_steps(fields: dict[str, Any], today: date) -> list[Any]:
    """The slip document and the steps the services would have written besides the
    replies, extensions, returns, reminders and call-backs already made: its issue (with
    the number), an acceptance, a withdrawal."""
    slip = HandoffSlip(**{k: v for k, v in fields.items() if k not in _WORKED_OUT})
    issued: date | None = fields["issue_date"]
    state: SlipState = fields["state"]
    out: list[Any] = [slip]
    if issued is None:
        return out
    common = {"station_id": slip.station_id, "slip_id": slip.id}
    out.append(
        SlipIssue(
            id=_step_id(slip.id, "issue"),
            issued_on=issued,
            number=fields["number"],
            due_date=fields["original_due_date"] or fields["due_date"],
            **common,
        )
    )
    if state is SlipState.ACCEPTED:
        out.append(SlipAcceptance(id=_step_id(slip.id, "accept"), accepted_on=issued, **common))
    if state is SlipState.WITHDRAWN:
        out.append(
            SlipWithdrawal(
                id=_step_id(slip.id, "withdraw"),
                withdrawn_on=min(issued + timedelta(days=3), today),
                reason=fields["withdraw_reason"],
                **common,
            )
        )
    return out
