"""Supervision checks, the 三三工作法 activities of each station and the media reports."""

from __future__ import annotations

from datetime import date, time, timedelta

from grassroots_tui.demo.base import _Ctx, _DemoBase
from grassroots_tui.demo.common import ONE_DAY, _Rand, _t, is_workday
from grassroots_tui.models import (
    ActivityType,
    CheckItem,
    Rating,
    Rectification,
    RectificationState,
    ResponsibilityPair,
    Staff,
    StationActivity,
    SupervisionCheck,
)


class _Supervision(_DemoBase):
    """Supervision, 三三工作法 and media."""

    # -- supervision

    def _supervision(self, contexts: list[_Ctx]) -> None:
        rng = self.rng("supervision")
        texts = self.work_texts["supervision"]
        weekdays = [1, 3, 2]  # each supervisor's supervision day: Tue, Thu, Wed
        ratings = {"excellent": 25, "good": 50, "fair": 20, "poor": 5}
        for index, supervisor in enumerate(self.supervisors):
            d = self.win_start
            while d.weekday() != weekdays[index % len(weekdays)]:
                d += ONE_DAY
            while d <= self.yesterday:
                if is_workday(d) and rng.random() > 0.1:
                    both = rng.random() > 0.15
                    order = list(contexts)
                    rng.shuffle(order)
                    visited = order if both else order[:1]
                    minute = rng.randrange(9 * 60, 10 * 60, 5)
                    for ctx in visited:
                        self._check(ctx, rng, supervisor, d, _t(minute), ratings, texts, both)
                        minute += rng.randrange(70, 120, 5)
                d += timedelta(days=7)

    def _check(
        self,
        ctx: _Ctx,
        rng: _Rand,
        supervisor: Staff,
        day: date,
        at: time,
        ratings: dict[str, int],
        texts: dict,
        both: bool,
    ) -> None:
        rating = Rating(rng.weighted(ratings))
        items = rng.sample(list(CheckItem), rng.randint(2, 4))
        findings = rng.choice(texts["findings"][rating.value])
        findings += texts["demo_note"] if both else texts["single_station_note"]
        rectifications = []
        wanted = {"excellent": 0, "good": 1 if rng.chance(0.3) else 0, "fair": 1, "poor": 2}
        for item in items[: wanted[rating.value]]:
            due = day + timedelta(days=rng.randint(7, 15))
            done = due < self.today and rng.chance(0.9)
            slip_id = None
            if item is CheckItem.SLIPS:
                late = [sid for sid, slip_due in ctx.open_slips if slip_due < day]
                slip_id = rng.choice(late) if late else None
            rectifications.append(
                Rectification(
                    id=rng.uid(),
                    description=rng.choice(texts["rectifications"][item.value]),
                    due_date=due,
                    state=RectificationState.DONE if done else RectificationState.OPEN,
                    slip_id=slip_id,
                )
            )
        self.add(
            SupervisionCheck(
                id=rng.uid(),
                station_id=ctx.station.id,
                supervisor_id=supervisor.id,
                date=day,
                time=at,
                checked_items=items,
                findings=findings,
                rating=rating,
                rectifications=rectifications,
            )
        )

    # -- 三三工作法 and media

    def _three_threes(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "activities")
        texts = self.work_texts["activities"]
        lo, hi = self.year_start, max(self.year_start, self.yesterday)
        period = str(self.today.year)
        cultural, day = self._dated(rng, texts["cultural"][ctx.kind], lo, hi)
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.CULTURAL,
                date=day,
                title=cultural["title"],
                place=cultural["place"],
                participants=rng.randint(60, 300),
                resident_representatives=True,
                period=period,
            )
        )
        targets = list(ctx.lead_homes)
        others = [h for h in ctx.homes if h not in targets and "拆迁户" in h.fields["tags"]]
        others = others or [h for h in ctx.homes if h not in targets]
        while len(targets) < 4:
            left = [h for h in others if h not in targets] or [
                h for h in ctx.homes if h not in targets
            ]
            targets.append(rng.choice(left))
        responsible = [*ctx.staff, *self.leaders]
        pairs = [
            ResponsibilityPair(responsible=responsible[i % len(responsible)].name, target=h.head)
            for i, h in enumerate(targets[:8])
        ]
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.PETITION_STABILITY,
                date=rng.day(lo, min(hi, lo + timedelta(days=45))),
                title=texts["petition_stability"][ctx.kind],
                participants=len(pairs) * 2,
                pairs=pairs,
                period=period,
                note=texts["petition_note"],
            )
        )
        hardship, day = self._dated(rng, texts["hardship_activity"][ctx.kind], lo, hi)
        self.add(
            StationActivity(
                id=rng.uid(),
                station_id=ctx.station.id,
                activity_type=ActivityType.HARDSHIP_ACTIVITY,
                date=day,
                title=hardship["title"],
                place=hardship["place"],
                participants=rng.randint(15, 45),
                resident_representatives=rng.chance(0.5),
                period=period,
            )
        )

    @staticmethod
    def _dated(rng: _Rand, choices: list[dict], lo: date, hi: date) -> tuple[dict, date]:
        """An activity and its day in [lo, hi]; a festival one only in its ``months``."""
        options = []
        for activity in choices:
            months = activity.get("months")
            days = [
                lo + timedelta(days=n)
                for n in range((hi - lo).days + 1)
                if not months or (lo + timedelta(days=n)).month in months
            ]
            if days:
                options.append((activity, days))
        if not options:
            return choices[0], lo
        activity, days = rng.choice(options)
        return activity, rng.choice(days)

    def _media(self, contexts: list[_Ctx]) -> None:
        rng = self.rng("media")
        texts = self.work_texts["media"]
        lo, hi = self.year_start, max(self.year_start, self.yesterday)
        outlets = list(texts["outlets"])
        rng.shuffle(outlets)
        for i in range(7):
            ctx = contexts[0] if i < 4 else contexts[1]
            headlines = texts["headlines"][ctx.code]
            headline = headlines[(i if i < 4 else i - 4) % len(headlines)]
            day = rng.day(lo, hi)
            outlet = outlets[i % len(outlets)]
            self.add(
                StationActivity(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    activity_type=ActivityType.MEDIA_REPORT,
                    date=day,
                    title=headline,
                    outlet=outlet,
                    reference=f"《{headline}》，{outlet}，{day.year}年{day.month}月{day.day}日",
                    period=f"{day.year}-{day.month:02d}",
                )
            )
