"""Households, and the hardship cases among them: assistance, reviews, their visits, and
the festival condolence rounds."""

from __future__ import annotations

from datetime import date, timedelta

from grassroots_tui.demo.base import _Ctx
from grassroots_tui.demo.common import MIN_HOUSEHOLDS, _prev_workday, _Rand, _yuan
from grassroots_tui.demo.homes import _Home, _plan_households
from grassroots_tui.demo.visits import _Visits
from grassroots_tui.models import (
    Assistance,
    AssistanceForm,
    CaseStatus,
    CondolenceItem,
    CondolenceRound,
    HardshipCase,
    HardshipCause,
    HardshipReview,
    HardshipTier,
    Household,
    ReviewCycle,
    Staff,
    VisitKind,
)


class _Hardship(_Visits):
    """Households and hardship cases."""

    # -- households and hardship cases

    def _households(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "households")
        count = self.count(ctx.spec["households"], minimum=MIN_HOUSEHOLDS)
        ctx.homes = _plan_households(rng, ctx.code, ctx.spec, count, self.today)
        # Hardship cases are chosen now, because they bring tags (低保, 残疾…) with them.
        share = 0.06 if ctx.rural else 0.045
        n_cases = min(count // 2, max(4, round(count * share)))
        weights = [3 if h.elder else 1 for h in ctx.homes]
        chosen: list[_Home] = []
        while len(chosen) < n_cases:
            home = rng.choices(ctx.homes, weights=weights)[0]
            if home not in chosen:
                chosen.append(home)
        texts = self.hardship_texts
        for home in chosen:
            tier = HardshipTier(rng.weighted(texts["tier_weights"]))
            causes: list[HardshipCause] = []
            for _ in range(rng.choice([1, 1, 2, 2, 3])):
                cause = HardshipCause(rng.weighted(texts["cause_weights"]))
                if cause is HardshipCause.ALONE and home.fields["people"] > 1:
                    continue
                if cause not in causes:
                    causes.append(cause)
            if not causes:
                causes = [HardshipCause.ILLNESS]
            if tier is HardshipTier.ACCIDENTAL and not (
                {HardshipCause.DISASTER, HardshipCause.OTHER, HardshipCause.ILLNESS} & set(causes)
            ):
                causes.insert(0, HardshipCause.DISASTER)
            tags = home.fields["tags"]
            if tier is HardshipTier.DEEP and "低保" not in tags:
                tags.append("低保")
            if HardshipCause.DISABILITY in causes and "残疾" not in tags:
                tags.append("残疾")
            home.fields["_case"] = (tier, causes)
        for home in ctx.homes:
            fields = {k: v for k, v in home.fields.items() if not k.startswith("_")}
            home.doc = Household(station_id=ctx.station.id, **fields)
            self.add(home.doc)
        ctx.case_homes = {h.id: h for h in chosen}

    def _hardship(self, ctx: _Ctx) -> None:
        rng = self.rng(ctx.code, "hardship")
        texts = self.hardship_texts
        today = self.today
        homes = list(ctx.case_homes.values())
        n = len(homes)
        n_exited = max(1, round(n * 0.15))
        statuses = [CaseStatus.EXITED] * n_exited + [CaseStatus.TERMINATED, CaseStatus.REFERRED]
        statuses += [CaseStatus.ACTIVE] * (n - len(statuses))
        rng.shuffle(statuses)
        # One case improved (deep → relative) and one relapsed (返困, relative → deep).
        paths = ["better", "worse"] + ["same"] * (n - 2)
        cadres = ctx.staff
        for index, (home, status) in enumerate(zip(homes, statuses, strict=True)):
            tier, causes = home.fields.pop("_case")
            path = paths[index]
            if path == "better":
                tier = HardshipTier.RELATIVE
            elif path == "worse":
                tier = HardshipTier.DEEP
            opened = rng.day(today - timedelta(days=1000), today - timedelta(days=60))
            if status is not CaseStatus.ACTIVE or path != "same":
                opened = min(opened, today - timedelta(days=300))
            exit_on = None
            callback_on = None
            exit_reason = ""
            if status is not CaseStatus.ACTIVE:
                exit_on = rng.day(
                    max(opened + timedelta(days=120), self.win_start + timedelta(days=60)),
                    today - timedelta(days=10),
                )
                exit_reason = rng.choice(texts["exit_reasons"][status.value])
                if status is CaseStatus.EXITED:
                    candidate = exit_on + timedelta(days=rng.randint(30, 90))
                    callback_on = candidate if candidate <= today else None
            if tier is HardshipTier.DEEP:
                cycle = ReviewCycle.MONTHLY if rng.chance(0.7) else ReviewCycle.QUARTERLY
            elif tier is HardshipTier.ACCIDENTAL:
                cycle = ReviewCycle.MONTHLY
            else:
                cycle = ReviewCycle.QUARTERLY if rng.chance(0.7) else ReviewCycle.YEARLY
            members = self._members(rng, home)
            cadre = cadres[index % len(cadres)]
            case = self.add(
                HardshipCase(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    household_id=home.id,
                    tier=tier,
                    causes=causes,
                    members=members,
                    paired_cadre=cadre.id,
                    opened_on=opened,
                    status=status,
                    review_cycle=cycle,
                    exit_on=exit_on,
                    exit_reason=exit_reason,
                    callback_on=callback_on,
                    notes=rng.choice(texts["case_notes"][causes[0].value]),
                )
            )
            ctx.cases.append(case)
            end = min(exit_on or today, today)
            self._assistance(ctx, rng, case, cadre, max(opened, self.win_start), end)
            self._reviews(ctx, rng, case, path, opened, end)
            self._hardship_visits(ctx, rng, home, cadre, max(opened, self.win_start), end)
        self._condolence(ctx, rng)

    def _members(self, rng: _Rand, home: _Home) -> list[str]:
        relations = self.names.relations
        members: list[str] = []
        for i in range(home.fields["people"] - 1):
            if i == 0 and (not home.elder or rng.chance(0.6)):
                female = not home.female
                name = self.names.person(rng, home.born.year + rng.randint(-3, 3), female)
                relation = relations["spouse_of_female" if home.female else "spouse_of_male"]
            elif home.elder:
                female = rng.chance(0.5)
                name = self.names.person(rng, home.born.year + 28, female, home.surname)
                relation = "女" if female else "子"
                if i >= 2:
                    relation = rng.choice(relations["grandchild"])
                    name = self.names.person(rng, home.born.year + 55, female, home.surname)
            else:
                female = rng.chance(0.5)
                name = self.names.person(rng, home.born.year + 27, female, home.surname)
                relation = "女" if female else "子"
            members.append(f"{name}（{relation}）")
        return members

    def _assistance(
        self, ctx: _Ctx, rng: _Rand, case: HardshipCase, cadre: Staff, lo: date, hi: date
    ) -> None:
        texts = self.hardship_texts["assistance"]
        per_year = {"deep": (4, 7), "relative": (2, 4), "accidental": (2, 3)}[case.tier.value]
        months = max(1, (hi - lo).days) / 365
        n = max(1, round(rng.randint(*per_year) * months))
        for _ in range(n):
            source = rng.weighted(texts["sources"])
            form = rng.choice(texts["source_forms"][source])
            form_spec = texts["forms"][form]
            amount = _yuan(rng.choice(form_spec["amounts"]))
            handler = cadre.name if source == "社区" else self.names.adult(rng)
            self.add(
                Assistance(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=rng.day(lo, hi),
                    form=AssistanceForm(form),
                    amount=amount,
                    source=source,
                    handler=handler,
                    note=rng.choice(form_spec["notes"]),
                )
            )

    def _reviews(
        self, ctx: _Ctx, rng: _Rand, case: HardshipCase, path: str, opened: date, end: date
    ) -> None:
        step = {"monthly": 30, "quarterly": 91, "yearly": 365}[case.review_cycle.value]
        texts = self.hardship_texts["reviews"]
        days: list[date] = []
        d = opened + timedelta(days=step)
        while d <= end:
            if d >= self.win_start and rng.random() > 0.1:  # now and then one is missed
                days.append(_prev_workday(d))
            d += timedelta(days=step)
        if path != "same" and len(days) < 2:
            first = _prev_workday(rng.day(self.win_start, end - timedelta(days=100)))
            days = [first, _prev_workday(first + timedelta(days=rng.randint(30, 90)))]
        final = case.tier
        initial = {"better": HardshipTier.DEEP, "worse": HardshipTier.RELATIVE}.get(path, final)
        change_at = rng.randint(1, len(days) - 1) if path != "same" and len(days) > 1 else -1
        tier = initial
        for i, day in enumerate(days):
            before = tier
            if i == change_at:
                tier = final
                findings = rng.choice(texts[path])
            else:
                findings = rng.choice(texts["same"])
            self.add(
                HardshipReview(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=day,
                    findings=findings,
                    tier_before=before,
                    tier_after=tier,
                )
            )

    def _hardship_visits(
        self, ctx: _Ctx, rng: _Rand, home: _Home, cadre: Staff, lo: date, hi: date
    ) -> None:
        """The paired cadre calls on the family every month or two."""
        hi = min(hi, self.yesterday)
        d = lo + timedelta(days=rng.randint(5, 40))
        while d <= hi:
            night = ctx.rural and rng.chance(0.3)
            day = d if night else _prev_workday(d)
            if day >= lo:
                visitors = [cadre]
                if rng.chance(0.4):
                    visitors.append(rng.choice([s for s in ctx.staff if s is not cadre]))
                self._visit(
                    ctx,
                    rng,
                    home,
                    day,
                    kind=VisitKind.NIGHT if night else VisitKind.DOOR,
                    mode="night" if night else "day",
                    visitors=visitors,
                    hardship=True,
                    note="帮扶责任人上门走访。",
                )
            d += timedelta(days=rng.randint(30, 60))

    def _condolence(self, ctx: _Ctx, rng: _Rand) -> None:
        texts = self.hardship_texts["condolence"]
        today = self.today
        cadre_names = {s.id: s.name for s in ctx.staff}

        def gift(case: HardshipCase) -> dict:
            if case.tier is HardshipTier.DEEP:
                return texts["given_deep"]
            return rng.choice(texts["given"])

        def record(case: HardshipCase, day: date, given: dict, title: str) -> None:
            self.add(
                Assistance(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    case_id=case.id,
                    date=day,
                    form=AssistanceForm.CONDOLENCE_MONEY,
                    amount=_yuan(given["amount"]),
                    source=given["source"],
                    handler=cadre_names[case.paired_cadre],
                    note=f"{title}：{given['text']}",
                )
            )

        # The Spring Festival round, finished.
        spring_year = today.year if today >= date(today.year, 2, 20) else today.year - 1
        started = date(spring_year, 1, 18)
        if started >= self.win_start and started < today - timedelta(days=20):
            title = texts["spring_title"].format(year=spring_year)
            items = []
            for case in ctx.cases:
                if case.opened_on > started or (case.exit_on and case.exit_on <= started):
                    continue
                given = gift(case)
                done_on = min(started + timedelta(days=rng.randint(0, 12)), today)
                items.append(
                    CondolenceItem(
                        case_id=case.id,
                        household_id=case.household_id,
                        done=True,
                        given=given["text"],
                        by=cadre_names[case.paired_cadre],
                        done_on=done_on,
                    )
                )
                record(case, done_on, given, title)
            self.add(
                CondolenceRound(
                    id=rng.uid(),
                    station_id=ctx.station.id,
                    title=title,
                    started_on=started,
                    items=items,
                )
            )
        # The current round, half done.
        started = today - timedelta(days=6)
        title = texts["titles_by_month"][str(today.month)].format(year=today.year)
        active = [c for c in ctx.cases if c.status is CaseStatus.ACTIVE]
        half = (len(active) + 1) // 2
        items = []
        for i, case in enumerate(active):
            if i < half:
                given = gift(case)
                done_on = rng.day(started, today)
                items.append(
                    CondolenceItem(
                        case_id=case.id,
                        household_id=case.household_id,
                        done=True,
                        given=given["text"],
                        by=cadre_names[case.paired_cadre],
                        done_on=done_on,
                    )
                )
                record(case, done_on, given, title)
            else:
                items.append(CondolenceItem(case_id=case.id, household_id=case.household_id))
        self.add(
            CondolenceRound(
                id=rng.uid(),
                station_id=ctx.station.id,
                title=title,
                started_on=started,
                items=items,
            )
        )
