"""困难帮扶: a household in hardship, paired with one cadre (一对一帮扶责任人), the help it
gets, its periodic reviews, its exit (脱困), the call-back after the exit and a relapse
(返困) (issue #5; docs/design.md#glossary, #personal-information).

    status     steps allowed                              leads to
    帮扶中     add_assistance, record_review,            帮扶中 / 已脱困 / 已终止 / 已转介
               exit_case, end_case
    已脱困     relapse (any time after the exit),         帮扶中 (返困)
               callback_no_relapse (while the call-back   已脱困, call-back cleared
               is pending), add_assistance (while the
               call-back is pending: help given while the
               family is watched, 扶上马送一程)
    已终止, 已转介: nothing (a new case may be opened for the household)

- A step that is not allowed is refused with :class:`HardshipRefused`, whose Chinese
  message says why ("已终止的帮扶档案不能再登记帮扶记录").
- Every step is one store transaction: a review and the case it changes are saved
  together or not at all. The store's audit trail keeps every earlier state: after a
  relapse the case is 帮扶中 again with its exit fields cleared, and the old exit lives
  on in the audit trail (and in :func:`case_timeline`, which reads it back).
- A relapse is recorded as a :class:`HardshipReview` whose findings start with "返困：";
  a call-back without relapse as one whose findings start with "回访：未返困".
- Review due dates are derived, never stored: the case's cycle (每月/每季度/每年) counted
  from the last review, else from the opening date, with calendar months (opened
  2026-01-31, monthly → 2026-02-28).
- Hardship status is personal information (docs/design.md#personal-information):
  :func:`view_case` records every opening of a case's detail in the audit trail as an
  access. Lists (such as :func:`due_items`) carry ids only; whoever shows names masks
  them.
- Money is exact: amounts are ``Decimal`` yuan with two places, summed without floats.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models import (
    ASSISTANCE_SOURCES,
    Assistance,
    AssistanceForm,
    CaseStatus,
    HardshipCase,
    HardshipReview,
    HardshipTier,
    ReviewCycle,
    VisitKind,
)
from grassroots_tui.models.errors import DocumentInvalid, Problem
from grassroots_tui.services.auth import guarded_save, guarded_transaction
from grassroots_tui.services.fields import field as _get
from grassroots_tui.services.fields import optional_date as _date
from grassroots_tui.services.slips.clock import views as slip_views
from grassroots_tui.services.text import listed
from grassroots_tui.services.workcalendar import OfficialCalendar

__all__ = [
    "CALLBACK_PREFIX",
    "DEFAULT_CALLBACK_MONTHS",
    "RELAPSE_PREFIX",
    "DueItem",
    "HardshipNotFound",
    "HardshipRefused",
    "TimelineEntry",
    "add_assistance",
    "active_case_of",
    "assistances_of",
    "callback_no_relapse",
    "case_timeline",
    "case_total",
    "check_amount",
    "cycle_step",
    "due_items",
    "edit_assistance",
    "edit_case",
    "end_case",
    "exit_case",
    "get_case",
    "is_callback",
    "is_relapse",
    "next_review_due",
    "open_case",
    "record_review",
    "relapse",
    "reviews_of",
    "totals_by_form",
    "totals_by_month",
    "totals_by_source",
    "view_case",
]

#: Findings of the review that records a relapse start with this.
RELAPSE_PREFIX = "返困："
#: Findings of the review that records a call-back without relapse start with this.
CALLBACK_PREFIX = "回访："
#: Months from the exit to the call-back, unless the caller says otherwise.
DEFAULT_CALLBACK_MONTHS = 6
#: The longest call-back period accepted, in months.
MAX_CALLBACK_MONTHS = 36

_ZERO = Decimal("0.00")
_CLOSED = frozenset({CaseStatus.TERMINATED, CaseStatus.REFERRED})


class HardshipRefused(ValueError):
    """A step not allowed for this case now; the message says why, in Chinese."""


class HardshipNotFound(HardshipRefused):
    """The case (or its household) does not exist."""


# -- small helpers ---------------------------------------------------------------------------


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def _amount(value: Any) -> Decimal:
    if value is None or value == "":
        return _ZERO
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _writing(store: Any) -> Any:
    """Hold the store's lock across read-decide-write."""
    lock = getattr(store, "_mutex", None)
    return lock if lock is not None else nullcontext()


def check_amount(assistance: Assistance) -> None:
    """A cash assistance (慰问金) must say how much was given; other forms may be 0.

    Checked here, not in the model: records of 0 yuan saved before this rule (the form
    let an empty amount through as 0) must still load, and `grassroots check` must not
    call the whole store damaged for them."""
    if assistance.form is AssistanceForm.CONDOLENCE_MONEY and assistance.amount <= 0:
        title = tr(Assistance.model_fields["amount"].title or "金额")
        raise DocumentInvalid(
            [Problem("amount", title, tr("慰问金必须填写金额（大于 0 元），如 200.00"))],
            kind=Assistance.KIND,
        )


def _required(value: str | None, what: str) -> str:
    """``value`` stripped, refused when empty; ``what`` is a Chinese message id (a field
    title, or marked where it is written)."""
    text = (value or "").strip()
    if not text:
        raise HardshipRefused(tr("请填写{what}", what=tr(what)))
    return text


def _household_label(store: Any, household_id: str) -> str:
    """How the audit trail names the household (Chinese: the trail is stored)."""
    raw = store.get_raw("household", household_id)
    if raw:
        return chinese("户号 {number}", number=raw.get("household_no"))
    return chinese("住户 {household}", household=household_id)


def get_case(store: Any, case_id: str) -> HardshipCase:
    """The case, or :class:`HardshipNotFound`."""
    case = store.get(HardshipCase, case_id)
    if case is None:
        raise HardshipNotFound(tr("找不到困难帮扶档案（{case}），可能已被删除。", case=case_id))
    return case


def reviews_of(store: Any, case_id: str) -> list[dict[str, Any]]:
    """The stored reviews of a case, oldest first (by date, then by when saved)."""
    found = [r for r in store.raw("hardship_review") if r.get("case_id") == case_id]
    found.sort(key=lambda r: (str(r.get("date")), str(r.get("created_at") or "")))
    return found


def assistances_of(store: Any, case_id: str) -> list[dict[str, Any]]:
    """The stored assistance records of a case, oldest first."""
    found = [a for a in store.raw("assistance") if a.get("case_id") == case_id]
    found.sort(key=lambda a: (str(a.get("date")), str(a.get("created_at") or "")))
    return found


def active_case_of(store: Any, household_id: str) -> dict[str, Any] | None:
    """The household's case that is 帮扶中, if any (stored dict)."""
    for raw in store.raw("hardship_case"):
        if raw.get("household_id") == household_id and raw.get("status") == "active":
            return raw
    return None


def is_relapse(review: Any) -> bool:
    """Whether a review records a relapse (返困)."""
    return str(_get(review, "findings") or "").startswith(RELAPSE_PREFIX)


def is_callback(review: Any) -> bool:
    """Whether a review records a call-back without relapse."""
    return str(_get(review, "findings") or "").startswith(CALLBACK_PREFIX)


def _last_review_date(reviews: Iterable[Any], case_id: str | None = None) -> dt.date | None:
    latest: dt.date | None = None
    for review in reviews:
        if case_id is not None and _get(review, "case_id") not in (None, case_id):
            continue
        day = _date(_get(review, "date"))
        if day is not None and (latest is None or day > latest):
            latest = day
    return latest


def _check_staff(store: Any, staff_id: str) -> None:
    staff = store.get_raw("staff", staff_id)
    if staff is None:
        raise HardshipRefused(tr("找不到帮扶责任人（工作人员编号 {staff}）。", staff=staff_id))
    if staff.get("active") is False:
        raise HardshipRefused(
            tr("帮扶责任人 {name} 已不在岗，请另选一位。", name=staff.get("name", staff_id))
        )


# -- opening and editing a case --------------------------------------------------------------


def open_case(store: Any, case: HardshipCase, actor: str) -> HardshipCase:
    """Save a new case (建档). Refused when the household already has a case 帮扶中, or an
    exited case whose call-back is still pending (a relapse is recorded on that case,
    :func:`relapse`, so its history stays in one place); when the household or the paired
    cadre does not exist; or when the case is not 帮扶中. ``station_id`` defaults to the
    household's station."""
    with _writing(store):
        if store.get_raw("hardship_case", case.id) is not None:
            raise HardshipRefused(tr("这份帮扶档案已经建立，修改请用编辑。"))
        if case.status is not CaseStatus.ACTIVE:
            raise HardshipRefused(
                tr("新建的帮扶档案状态应为“{status}”。", status=tr(CaseStatus.ACTIVE.label))
            )
        if case.exit_on is not None or case.callback_on is not None or case.exit_reason:
            raise HardshipRefused(tr("新建的帮扶档案不能填写结案日期、结案原因或回访日期。"))
        home = store.get_raw("household", case.household_id)
        if home is None:
            raise HardshipNotFound(
                tr("找不到住户（{household}），请先登记住户。", household=case.household_id)
            )
        station_id = case.station_id or home.get("station_id")
        if home.get("station_id") and station_id != home.get("station_id"):
            raise HardshipRefused(tr("帮扶档案所属群工站与住户所属群工站不一致。"))
        _check_staff(store, case.paired_cadre)
        number = home.get("household_no")
        for raw in store.raw("hardship_case"):
            if raw.get("household_id") != case.household_id:
                continue
            if raw.get("status") == CaseStatus.ACTIVE.value:
                raise HardshipRefused(
                    tr(
                        "户号 {number} 已有帮扶中的档案（{opened} 建档），不能重复建档。",
                        number=number,
                        opened=raw.get("opened_on"),
                    )
                )
            if raw.get("status") == CaseStatus.EXITED.value and raw.get("callback_on"):
                raise HardshipRefused(
                    tr(
                        "户号 {number} 已于 {exit} 脱困，回访尚未完成"
                        "（计划 {callback}）；如已返困，请在原档案登记返困。",
                        number=number,
                        exit=raw.get("exit_on"),
                        callback=raw.get("callback_on"),
                    )
                )
        return guarded_save(store, case.model_copy(update={"station_id": station_id}), actor)


def edit_case(store: Any, case: HardshipCase, actor: str) -> HardshipCase:
    """Save edits to a case's details: causes, members, paired cadre, review cycle, notes
    and (when it stays before every review, assistance and exit) the opening date.

    The household, the tier and the lifecycle fields (status, exit, call-back) are kept
    as stored: the tier changes through :func:`record_review` and :func:`relapse`, the
    status through the steps above, so that every change has its record. ``case``
    should be a copy of the stored case (same ``rev``): an edit made meanwhile by
    someone else is refused by the store (StoreConflict) rather than overwritten.
    """
    with _writing(store):
        stored = get_case(store, case.id)
        if case.paired_cadre != stored.paired_cadre:
            _check_staff(store, case.paired_cadre)
        if case.opened_on != stored.opened_on:
            dates = [_date(r.get("date")) for r in reviews_of(store, case.id)]
            dates += [_date(a.get("date")) for a in assistances_of(store, case.id)]
            dates += [stored.exit_on, stored.callback_on]
            earliest = min((d for d in dates if d is not None), default=None)
            if earliest is not None and case.opened_on > earliest:
                raise HardshipRefused(
                    tr(
                        "建档日期不能晚于这份档案最早的记录（{day}）。",
                        day=earliest.isoformat(),
                    )
                )
        update = {
            name: getattr(stored, name)
            for name in (
                "household_id",
                "station_id",
                "tier",
                "status",
                "exit_on",
                "exit_reason",
                "callback_on",
            )
        }
        return guarded_save(store, case.model_copy(update=update), actor)


# -- assistance ------------------------------------------------------------------------------


def _assistance_refusal(case: HardshipCase, day: dt.date) -> str | None:
    if case.status in _CLOSED:
        return tr("{status}的帮扶档案不能再登记帮扶记录", status=tr(case.status.label))
    if case.status is CaseStatus.EXITED and case.callback_on is None:
        return tr("已脱困且已回访的帮扶档案不能再登记帮扶记录；如已返困，请先登记返困")
    if day < case.opened_on:
        return tr("帮扶日期不能早于建档日期（{day}）", day=case.opened_on.isoformat())
    return None


def add_assistance(store: Any, assistance: Assistance, actor: str) -> Assistance:
    """Record help given to a case (帮扶记录).

    Accepted for a case 帮扶中, and for a case 已脱困 while its call-back is pending
    (help given to a family that has just exited and is being watched; also lets a
    record from before the exit be entered late). Refused for a case 已终止 or 已转介,
    for an exited case whose call-back is done, and for a date before the opening date.
    The station is the case's.
    """
    with _writing(store):
        if store.get_raw("assistance", assistance.id) is not None:
            raise HardshipRefused(tr("这条帮扶记录已经登记过，修改请用编辑。"))
        case = get_case(store, assistance.case_id)
        why = _assistance_refusal(case, assistance.date)
        if why:
            raise HardshipRefused(why)
        _required(assistance.source, "资金来源")
        check_amount(assistance)
        return guarded_save(
            store, assistance.model_copy(update={"station_id": case.station_id}), actor
        )


def edit_assistance(store: Any, assistance: Assistance, actor: str) -> Assistance:
    """Correct an assistance record (its case stays the same); same rules as adding."""
    with _writing(store):
        stored = store.get(Assistance, assistance.id)
        if stored is None:
            raise HardshipNotFound(tr("找不到帮扶记录（{record}）。", record=assistance.id))
        if assistance.case_id != stored.case_id:
            raise HardshipRefused(tr("帮扶记录不能改到另一份帮扶档案。"))
        case = get_case(store, stored.case_id)
        why = _assistance_refusal(case, assistance.date)
        if why:
            raise HardshipRefused(why)
        check_amount(assistance)
        update = {"station_id": case.station_id}
        return guarded_save(store, assistance.model_copy(update=update), actor)


def case_total(store: Any, case_id: str) -> Decimal:
    """All the money given to one case, exact (0.00 if none)."""
    return sum((_amount(a.get("amount")) for a in assistances_of(store, case_id)), _ZERO)


def _ordered(totals: dict[str, Decimal], order: Iterable[str]) -> dict[str, Decimal]:
    first = [key for key in order if key in totals]
    rest = [key for key in totals if key not in set(first)]
    return {key: totals[key] for key in [*first, *rest]}


#: The default sources of assistance (:data:`ASSISTANCE_SOURCES`), marked so the
#: catalog has their English; a record stores the Chinese.
_SOURCE_NAMES = (
    chinese("民政"),
    chinese("工会"),
    chinese("商会"),
    chinese("妇联"),
    chinese("社区"),
    chinese("企业"),
    chinese("其他"),
)


def source_name(source: str) -> str:
    """How a source of assistance is shown: a default one in the current language, any
    other as written (what is stored is always the Chinese)."""
    return tr(source) if source in _SOURCE_NAMES else source


def totals_by_source(assistances: list[dict]) -> dict[str, Decimal]:
    """Total amount per source (资金来源), exact: the default sources
    (:data:`ASSISTANCE_SOURCES`) in their order, then any others as first met."""
    totals: dict[str, Decimal] = {}
    for a in assistances:
        source = str(_get(a, "source") or "").strip() or "其他"
        totals[source] = totals.get(source, _ZERO) + _amount(_get(a, "amount"))
    return _ordered(totals, ASSISTANCE_SOURCES)


def totals_by_month(assistances: list[dict]) -> dict[str, Decimal]:
    """Total amount per month, "2026-11" → total, months in order."""
    totals: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    for a in assistances:
        day = _date(_get(a, "date"))
        if day is None:
            continue
        totals[f"{day.year:04d}-{day.month:02d}"] += _amount(_get(a, "amount"))
    return {key: totals[key] for key in sorted(totals)}


def totals_by_form(assistances: list[dict]) -> dict[str, Decimal]:
    """Total amount per form, keyed by the form's identifier ("condolence_money"; its
    Chinese label is ``AssistanceForm(key).label``), in the order the forms are declared."""
    totals: dict[str, Decimal] = {}
    for a in assistances:
        form = str(_value(_get(a, "form")) or AssistanceForm.OTHER.value)
        totals[form] = totals.get(form, _ZERO) + _amount(_get(a, "amount"))
    return _ordered(totals, [f.value for f in AssistanceForm])


# -- reviews ---------------------------------------------------------------------------------


def cycle_step(cycle: ReviewCycle | str) -> relativedelta:
    """The length of a review cycle in calendar months."""
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[str(_value(ReviewCycle(cycle)))]
    return relativedelta(months=months)


def next_review_due(case: HardshipCase | dict, reviews: list[dict]) -> dt.date | None:
    """When the case's next review is due: one cycle after the last review (a relapse
    counts as one), else after the opening date. Month ends are clamped (01-31 monthly →
    02-28). None unless the case is 帮扶中. ``reviews`` may hold other cases' reviews
    too; only those of this case are looked at."""
    if str(_value(_get(case, "status"))) != CaseStatus.ACTIVE.value:
        return None
    opened = _date(_get(case, "opened_on"))
    if opened is None:
        return None
    last = _last_review_date(reviews, _get(case, "id"))
    base = max(last, opened) if last is not None else opened
    return base + cycle_step(_get(case, "review_cycle") or ReviewCycle.QUARTERLY)


def _check_after_reviews(store: Any, case: HardshipCase, on: dt.date, what: str) -> None:
    """``on`` (the date named ``what``, a Chinese message id) is not before the opening
    or the latest review."""
    if on < case.opened_on:
        raise HardshipRefused(
            tr(
                "{what}不能早于建档日期（{day}）",
                what=tr(what),
                day=case.opened_on.isoformat(),
            )
        )
    last = _last_review_date(reviews_of(store, case.id))
    if last is not None and on < last:
        raise HardshipRefused(
            tr("{what}不能早于最近一次复核（{day}）", what=tr(what), day=last.isoformat())
        )


def record_review(
    store: Any,
    case_id: str,
    *,
    on: dt.date,
    findings: str,
    tier_after: HardshipTier,
    actor: str,
) -> HardshipCase:
    """Record a review (复核) of a case 帮扶中: its findings and the tier after it. The case
    takes the new tier in the same transaction. Refused for a case not 帮扶中, and for a
    date before the opening date or the latest review."""
    with _writing(store):
        case = get_case(store, case_id)
        if case.status is not CaseStatus.ACTIVE:
            raise HardshipRefused(tr("{status}的帮扶档案不能再复核", status=tr(case.status.label)))
        text = _required(findings, "复核情况")
        _check_after_reviews(store, case, on, "复核日期")
        tier_after = HardshipTier(tier_after)
        review = HardshipReview(
            station_id=case.station_id,
            case_id=case.id,
            date=on,
            findings=text,
            tier_before=case.tier,
            tier_after=tier_after,
        )
        with guarded_transaction(store, actor) as tx:
            tx.save(review)
            if tier_after is not case.tier:
                tx.save(case.model_copy(update={"tier": tier_after}))
        return get_case(store, case_id)


# -- exit, end, call-back, relapse -----------------------------------------------------------


def exit_case(
    store: Any,
    case_id: str,
    *,
    on: dt.date,
    reason: str,
    actor: str,
    callback_months: int = DEFAULT_CALLBACK_MONTHS,
) -> HardshipCase:
    """脱困: the case exits on ``on`` for ``reason``; a call-back is scheduled
    ``callback_months`` calendar months later (default 6) to catch a relapse."""
    with _writing(store):
        case = get_case(store, case_id)
        if case.status is not CaseStatus.ACTIVE:
            raise HardshipRefused(
                tr("{status}的帮扶档案不能再登记脱困", status=tr(case.status.label))
            )
        text = _required(reason, chinese("脱困原因"))
        _check_after_reviews(store, case, on, chinese("脱困日期"))
        if not 1 <= callback_months <= MAX_CALLBACK_MONTHS:
            raise HardshipRefused(tr("回访间隔应在 1 到 {most} 个月之间", most=MAX_CALLBACK_MONTHS))
        update = {
            "status": CaseStatus.EXITED,
            "exit_on": on,
            "exit_reason": text,
            "callback_on": on + relativedelta(months=callback_months),
        }
        return guarded_save(store, case.model_copy(update=update), actor)


def end_case(
    store: Any,
    case_id: str,
    *,
    status: CaseStatus,
    on: dt.date,
    reason: str,
    actor: str,
) -> HardshipCase:
    """End a case 帮扶中 without an exit: 已终止 (moved away, died, no longer eligible…) or
    已转介 (handed to another body). No call-back is scheduled."""
    status = CaseStatus(status)
    if status not in _CLOSED:
        raise HardshipRefused(
            tr(
                "结案状态只能是“{terminated}”或“{referred}”；脱困请用登记脱困",
                terminated=tr(CaseStatus.TERMINATED.label),
                referred=tr(CaseStatus.REFERRED.label),
            )
        )
    terminated = status is CaseStatus.TERMINATED
    with _writing(store):
        case = get_case(store, case_id)
        if case.status is not CaseStatus.ACTIVE:
            current = tr(case.status.label)
            raise HardshipRefused(
                tr("{status}的帮扶档案不能再终止", status=current)
                if terminated
                else tr("{status}的帮扶档案不能再转介", status=current)
            )
        text = _required(reason, chinese("终止原因") if terminated else chinese("转介原因"))
        _check_after_reviews(store, case, on, "结案日期")
        update = {"status": status, "exit_on": on, "exit_reason": text, "callback_on": None}
        return guarded_save(store, case.model_copy(update=update), actor)


def relapse(
    store: Any,
    case_id: str,
    *,
    on: dt.date,
    findings: str,
    tier: HardshipTier,
    actor: str,
) -> HardshipCase:
    """返困: an exited case falls back into hardship (found at the call-back or any time
    after the exit). The case is reopened, 帮扶中 again with ``tier``, its exit fields and
    call-back cleared; the relapse is a review whose findings start with "返困：" and
    whose tiers record the change. Earlier reviews and assistance stay; the audit trail
    keeps the old exit. One transaction."""
    with _writing(store):
        case = get_case(store, case_id)
        if case.status is not CaseStatus.EXITED:
            raise HardshipRefused(
                tr(
                    "只有已脱困的帮扶档案才能登记返困（当前：{status}）",
                    status=tr(case.status.label),
                )
            )
        text = _required(findings, chinese("返困情况"))
        assert case.exit_on is not None
        if on < case.exit_on:
            raise HardshipRefused(
                tr("返困日期不能早于脱困日期（{day}）", day=case.exit_on.isoformat())
            )
        tier = HardshipTier(tier)
        if not text.startswith(RELAPSE_PREFIX):
            text = RELAPSE_PREFIX + text
        review = HardshipReview(
            station_id=case.station_id,
            case_id=case.id,
            date=on,
            findings=text[:5000],
            tier_before=case.tier,
            tier_after=tier,
        )
        reopened = case.model_copy(
            update={
                "status": CaseStatus.ACTIVE,
                "tier": tier,
                "exit_on": None,
                "exit_reason": "",
                "callback_on": None,
            }
        )
        with guarded_transaction(store, actor) as tx:
            tx.save(review)
            tx.save(reopened)
        return get_case(store, case_id)


def callback_no_relapse(
    store: Any,
    case_id: str,
    *,
    on: dt.date,
    findings: str,
    actor: str,
) -> HardshipCase:
    """The call-back found no relapse: recorded as a review "回访：未返困…" (tier
    unchanged), and the case's call-back date is cleared. The case stays 已脱困."""
    with _writing(store):
        case = get_case(store, case_id)
        if case.status is not CaseStatus.EXITED:
            raise HardshipRefused(
                tr(
                    "只有已脱困的帮扶档案才需要回访（当前：{status}）",
                    status=tr(case.status.label),
                )
            )
        if case.callback_on is None:
            raise HardshipRefused(tr("这份帮扶档案的脱困回访已经完成"))
        assert case.exit_on is not None
        if on < case.exit_on:
            raise HardshipRefused(
                tr("回访日期不能早于脱困日期（{day}）", day=case.exit_on.isoformat())
            )
        extra = (findings or "").strip()
        if extra.startswith(CALLBACK_PREFIX):
            extra = extra[len(CALLBACK_PREFIX) :].strip()
        if extra.startswith("未返困"):
            extra = extra[len("未返困") :].lstrip("，,。；; ")
        text = f"{CALLBACK_PREFIX}未返困" + (f"。{extra}" if extra else "")
        review = HardshipReview(
            station_id=case.station_id,
            case_id=case.id,
            date=on,
            findings=text[:5000],
            tier_before=case.tier,
            tier_after=case.tier,
        )
        with guarded_transaction(store, actor) as tx:
            tx.save(review)
            tx.save(case.model_copy(update={"callback_on": None}))
        return get_case(store, case_id)


# -- what is due -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A review or a call-back due soon or overdue."""

    case_id: str
    household_id: str
    what: Literal["review", "callback"]
    due: dt.date
    days_overdue: int  # 0 if not yet due

    @property
    def label(self) -> str:
        """ "复核" or "脱困回访", in the current language."""
        return tr("复核") if self.what == "review" else tr("脱困回访")

    def days_left(self, today: dt.date) -> int:
        """Days until due (0 when due today or overdue)."""
        return max(0, (self.due - today).days)


def due_items(
    store: Any,
    *,
    today: dt.date,
    station_id: str | None = None,
    within_days: int = 14,
) -> list[DueItem]:
    """Reviews of cases 帮扶中 and call-backs of exited cases that are overdue or due within
    ``within_days`` days of ``today``, most overdue first (then by household)."""
    if within_days < 0:
        raise HardshipRefused(tr("天数不能为负数"))
    horizon = today + dt.timedelta(days=within_days)
    reviews: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for review in store.raw("hardship_review"):
        reviews[review.get("case_id")].append(review)
    numbers = {h["id"]: str(h.get("household_no") or "") for h in store.raw("household")}
    found: list[DueItem] = []
    for case in store.raw("hardship_case"):
        if station_id is not None and case.get("station_id") != station_id:
            continue
        status = case.get("status")
        if status == CaseStatus.ACTIVE.value:
            due = next_review_due(case, reviews.get(case["id"], []))
            what: Literal["review", "callback"] = "review"
        elif status == CaseStatus.EXITED.value and case.get("callback_on"):
            due = _date(case["callback_on"])
            what = "callback"
        else:
            continue
        if due is None or due > horizon:
            continue
        found.append(
            DueItem(
                case_id=case["id"],
                household_id=case["household_id"],
                what=what,
                due=due,
                days_overdue=max(0, (today - due).days),
            )
        )
    found.sort(key=lambda d: (d.due, numbers.get(d.household_id, ""), d.what, d.case_id))
    return found


# -- the timeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One event in a case's life, in Chinese. ``kind``: opened, assistance, review,
    relapse, callback, callback_due, exit, visit, slip."""

    on: dt.date
    what: str
    kind: str = ""


# Same-day order, oldest first: the opening, then what happened, then the exit.
_ORDER = {
    "opened": 0,
    "visit": 1,
    "slip": 1,
    "assistance": 2,
    "review": 3,
    "relapse": 3,
    "callback": 3,
    "exit": 4,
    "callback_due": 5,
}


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _exits_from_audit(store: Any, case_id: str) -> list[tuple[dt.date, str, str]]:
    """Every exit or end of the case the audit trail remembers: (date, status, reason)."""
    entries = store.history("hardship_case", case_id)
    undone = {e.get("undoes") for e in store.raw("audit_entry") if e.get("action") == "undo"}
    exits: list[tuple[dt.date, str, str]] = []
    state: dict[str, Any] = {}
    for entry in entries:
        changes = entry.get("changes") or {}
        for name, pair in changes.items():
            if isinstance(pair, list | tuple) and len(pair) == 2:
                state[name] = pair[1]
        if entry.get("action") not in ("create", "update") or entry.get("txn") in undone:
            continue
        status = changes.get("status")
        if not status or status[1] not in ("exited", "terminated", "referred"):
            continue
        day = _date(state.get("exit_on"))
        if day is not None:
            exits.append((day, status[1], str(state.get("exit_reason") or "")))
    return exits


def _tier_at_opening(store: Any, case: HardshipCase, reviews: list[dict]) -> HardshipTier:
    """The tier the case was opened with: from its creation in the audit trail, else the
    first review's tier before, else the tier now."""
    for entry in store.history("hardship_case", case.id):
        if entry.get("action") == "create":
            pair = (entry.get("changes") or {}).get("tier")
            if pair and pair[1]:
                return HardshipTier(pair[1])
            break
    if reviews:
        return HardshipTier(reviews[0]["tier_before"])
    return case.tier


def _exit_text(status: str, reason: str) -> str:
    """ "脱困：…" / "终止：…" / "转介：…": an exit or end of a case on its timeline."""
    reason = reason or tr("未写原因")
    if status == CaseStatus.TERMINATED.value:
        return tr("终止：{reason}", reason=reason)
    if status == CaseStatus.REFERRED.value:
        return tr("转介：{reason}", reason=reason)
    if status == CaseStatus.EXITED.value:
        return tr("脱困：{reason}", reason=reason)
    return tr("{kind}：{said}", kind=tr(CaseStatus(status).label), said=reason)


def case_timeline(
    store: Any, case_id: str, *, calendar: OfficialCalendar | None = None
) -> list[TimelineEntry]:
    """Everything that happened to a case, newest first: the opening, assistance, reviews,
    exits and ends (the earlier ones too, read back from the audit trail), call-backs,
    relapses, a pending call-back, and the household's visits and handoff slips. Meant
    for the case's detail, whose opening :func:`view_case` records; free text (a visit's
    问疾苦, a slip's title) is shown as written. The slips are worked out under
    ``calendar`` (the session's: the views the store keeps for the slips list)."""
    case = get_case(store, case_id)
    reviews = reviews_of(store, case_id)
    entries: list[TimelineEntry] = [
        TimelineEntry(
            case.opened_on,
            tr(
                "建档：{tier}，致困原因 {causes}",
                tier=tr(_tier_at_opening(store, case, reviews).label),
                causes=listed(tr(c.label) for c in case.causes),
            ),
            "opened",
        )
    ]
    for a in assistances_of(store, case_id):
        form = tr(AssistanceForm(a["form"]).label)
        amount = _amount(a.get("amount"))
        money = tr(" {amount} 元", amount=amount) if amount else ""
        note = tr("（{note}）", note=_short(a["note"], 30)) if a.get("note") else ""
        entries.append(
            TimelineEntry(
                _date(a["date"]),  # type: ignore[arg-type]
                tr(
                    "帮扶：{form}{money}，来源 {source}，经办人 {handler}{note}",
                    form=form,
                    money=money,
                    source=source_name(a["source"]),
                    handler=a["handler"],
                    note=note,
                ),
                "assistance",
            )
        )
    for r in reviews:
        before = tr(HardshipTier(r["tier_before"]).label)
        after = tr(HardshipTier(r["tier_after"]).label)
        findings = str(r["findings"])
        if is_relapse(r):
            body = findings[len(RELAPSE_PREFIX) :]
            text = tr(
                "返困，重新纳入帮扶：{before} → {after}。{findings}",
                before=before,
                after=after,
                findings=_short(body),
            )
            kind = "relapse"
        elif is_callback(r):
            text = tr("脱困回访：{findings}", findings=_short(findings[len(CALLBACK_PREFIX) :]))
            kind = "callback"
        else:
            change = f"{before} → {after}" if before != after else tr("{tier}不变", tier=after)
            text = tr("复核：{change}。{findings}", change=change, findings=_short(findings))
            kind = "review"
        entries.append(TimelineEntry(_date(r["date"]), text, kind))  # type: ignore[arg-type]
    exits = _exits_from_audit(store, case_id)
    if case.status is not CaseStatus.ACTIVE and case.exit_on is not None:
        current = (case.exit_on, case.status.value, case.exit_reason)
        if not any(e[0] == current[0] and e[1] == current[1] for e in exits):
            exits.append(current)
    seen: set[tuple[dt.date, str]] = set()
    for day, status, reason in exits:
        if (day, status) in seen:
            continue
        seen.add((day, status))
        entries.append(TimelineEntry(day, _exit_text(status, _short(reason)), "exit"))
    if case.status is CaseStatus.EXITED and case.callback_on is not None:
        entries.append(
            TimelineEntry(case.callback_on, tr("待脱困回访（看是否返困）"), "callback_due")
        )
    for v in store.raw("visit"):
        if v.get("household_id") != case.household_id:
            continue
        kind_label = tr(VisitKind(v.get("visit_kind") or "door").label)
        said = v.get("hardships") or v.get("greeting") or v.get("notes") or ""
        text = tr("{kind}：{said}", kind=kind_label, said=_short(said)) if said else kind_label
        entries.append(TimelineEntry(_date(v["date"]), text, "visit"))  # type: ignore[arg-type]
    for s in slip_views(store, calendar).values():
        if s.household_id != case.household_id:
            continue
        issued = s.issue_date or _date(s.created_at)
        if issued is None:
            continue
        number = s.number or tr("草稿")
        text = tr(
            "交办单 {number}：{title}（{state}）",
            number=number,
            title=_short(s.title, 30),
            state=tr(s.state.label),
        )
        entries.append(TimelineEntry(issued, text, "slip"))
    entries.sort(key=lambda e: (e.on, _ORDER.get(e.kind, 1)), reverse=True)
    return entries


# -- sensitive reading -----------------------------------------------------------------------


def view_case(store: Any, case_id: str, actor: str) -> HardshipCase:
    """The case, for showing its detail; the opening is recorded in the audit trail as an
    access first (hardship status is personal information). Refused on a read-only
    store, since the access could not be recorded."""
    case = get_case(store, case_id)
    if getattr(store, "readonly", False):
        raise HardshipRefused(
            tr(
                "查看困难帮扶档案须记入审计记录，但数据当前只读，无法记录，因此不能打开。{reason}",
                reason=getattr(store, "readonly_reason", None) or "",
            )
        )
    store.record_access(
        "hardship_case",
        case.id,
        actor,
        action="access",
        note=chinese(
            "查看困难帮扶档案（{household}）", household=_household_label(store, case.household_id)
        ),
    )
    return case
