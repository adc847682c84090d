"""Drafting a slip (by hand or from a problem raised on a visit), saving a draft, and
repeat petitions: the earlier slips of a household or resident and the lead official
(领导包案) who stays with them."""

from __future__ import annotations

import re
from typing import Any

from grassroots_tui.lang import tr
from grassroots_tui.models import Household, ProblemState, Staff, Station, Visit
from grassroots_tui.models.errors import validate_model
from grassroots_tui.models.slip import (
    DEFAULT_DEADLINE_RULE,
    HandoffSlip,
    SlipSource,
    SlipState,
    SlipView,
)
from grassroots_tui.services.auth import guarded_save
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.slips.errors import SlipActionRefused, SlipNotFound
from grassroots_tui.services.slips.lifecycle import _enum_value, _rule_text, _station, get_slip
from grassroots_tui.services.slips.numbering import _number_of
from grassroots_tui.store import Store


def draft_slip(
    station: Station,
    *,
    source: SlipSource,
    category: str,
    title: str,
    description: str,
    household_id: str | None = None,
    person_name: str | None = None,
    handling_unit: str | None = None,
    assignee: str | None = None,
    lead_official: str | None = None,
    responsible_person: str | None = None,
    deadline_rule: str = DEFAULT_DEADLINE_RULE,
) -> HandoffSlip:
    """A new, unsaved draft of ``station``. Raises :class:`DocumentInvalid` (Chinese) for
    a bad field and :class:`SlipActionRefused` for a deadline rule it cannot read."""
    return validate_model(
        HandoffSlip,
        {
            "station_id": station.id,
            "source": _enum_value(source),
            "category": category,
            "title": title,
            "description": description,
            "household_id": household_id,
            "person_name": person_name,
            "handling_unit": handling_unit,
            "assignee": assignee,
            "lead_official": lead_official,
            "responsible_person": responsible_person,
            "deadline_rule": _rule_text(deadline_rule),
        },
    )


def _title_from(text: str, limit: int = 30) -> str:
    first = re.split(r"[。；;！!？?\n]", text.strip(), maxsplit=1)[0].strip() or text.strip()
    first = first.rstrip("，,、 ")
    return first if len(first) <= limit else first[: limit - 1] + "…"


def draft_from_problem(
    store: Store, visit_id: str, problem_id: str, *, rule: str | None = None
) -> HandoffSlip:
    """A draft prefilled from a pending problem raised on a visit (source 走访发现).

    Household, resident (the head of household), category and text come from the visit;
    a household with earlier slips gets the lead official of the latest one; ``rule`` is
    the deadline rule for the problem's category (services.slip_rules). Not saved.
    """
    visit = store.get(Visit, visit_id)
    if visit is None:
        raise SlipNotFound(tr("找不到走访记录（{visit}）。", visit=visit_id))
    problem = next((p for p in visit.problems if p.id == problem_id), None)
    if problem is None:
        raise SlipNotFound(tr("走访记录中找不到这个问题（{problem}）。", problem=problem_id))
    if problem.state is not ProblemState.PENDING:
        state = tr(problem.state.label)
        if problem.slip_id:
            state += tr("（交办单 {number}）", number=_number_of(store, problem.slip_id))
        raise SlipActionRefused(
            tr("这个问题的状态是“{state}”，只有待办的问题才能开交办单", state=state)
        )
    for slip in views(store, None).values():
        if (
            slip.problem_id == problem_id
            and slip.visit_id == visit_id
            and slip.state is not SlipState.WITHDRAWN
        ):
            raise SlipActionRefused(
                tr(
                    "这个问题已经有交办单了（{number}），不能重复开单",
                    number=slip.number or tr("草稿：{title}", title=slip.title),
                )
            )
    station = _station(store, visit.station_id)
    household = store.get(Household, visit.household_id)
    person = household.head_of_household if household is not None else None
    lead = proposed_lead_official(store, household_id=visit.household_id, person_name=None)
    # The slip's own text, stored and printed: Chinese, whatever the interface language.
    description = f"{visit.date.isoformat()} 走访发现：{problem.description}"
    draft = draft_slip(
        station,
        source=SlipSource.VISIT,
        category=problem.category,
        title=_title_from(problem.description),
        description=description[:5000],
        household_id=visit.household_id,
        person_name=person,
        lead_official=lead,
        deadline_rule=rule or DEFAULT_DEADLINE_RULE,
    )
    return draft.model_copy(update={"visit_id": visit.id, "problem_id": problem.id})


def save_draft(store: Store, slip: HandoffSlip, actor: str) -> SlipView:
    """Save a new or edited draft. Also edits a returned slip (to correct it before it
    is issued again). Number, dates and state are never set through here: they come
    from the slip's steps."""
    doc = slip.stored() if isinstance(slip, SlipView) else slip
    stored = store.get_raw(HandoffSlip, doc.id)
    update: dict[str, Any] = {}
    if stored is None:
        if isinstance(slip, SlipView) and slip.state is not SlipState.DRAFTED:
            raise SlipActionRefused(tr("新的交办单只能先保存为草稿，再交办"))
        update["legacy"] = None
    else:
        current = get_slip(store, doc.id)
        if current.state not in (SlipState.DRAFTED, SlipState.RETURNED):
            raise SlipActionRefused(
                tr(
                    "{state}的交办单不能再修改；只有草稿和被退回的交办单可以修改",
                    state=tr(current.state.label),
                )
            )
        update["legacy"] = stored.get("legacy")
        if stored.get("visit_id") is not None:
            update.update(visit_id=stored["visit_id"], problem_id=stored.get("problem_id"))
    if not doc.station_id:
        raise SlipActionRefused(tr("请选择交办单所属的群工站"))
    update["deadline_rule"] = _rule_text(doc.deadline_rule)
    saved = guarded_save(store, doc.model_copy(update=update), actor)
    return get_slip(store, saved.id)


# -- repeat petitions ----------------------------------------------------------------------


def _same_person(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


def earlier_slips(
    store: Store,
    *,
    household_id: str | None,
    person_name: str | None,
    exclude_id: str | None = None,
) -> list[SlipView]:
    """Slips of the same household or the same resident (by name), newest first.

    Withdrawn slips are left out; drafts are listed (they show a petition being opened
    twice).
    """
    if not household_id and not (person_name or "").strip():
        return []
    found = []
    for slip in views(store, None).values():
        if slip.id == exclude_id or slip.state is SlipState.WITHDRAWN:
            continue
        if (household_id and slip.household_id == household_id) or _same_person(
            slip.person_name, person_name
        ):
            found.append(slip)
    found.sort(
        key=lambda s: (
            (s.issue_date.isoformat() if s.issue_date else "") or str(s.created_at or "")[:10],
            s.number or "",
        ),
        reverse=True,
    )
    return found


def proposed_lead_official(
    store: Store,
    *,
    household_id: str | None,
    person_name: str | None,
    exclude_id: str | None = None,
) -> str | None:
    """领导包案 sticks: the lead official (staff id) of the newest earlier slip of the same
    household or resident that has one, or None."""
    for slip in earlier_slips(
        store, household_id=household_id, person_name=person_name, exclude_id=exclude_id
    ):
        if slip.lead_official:
            return slip.lead_official
    return None


def lead_official_name(store: Store, staff_id: str | None) -> str | None:
    """The lead official's name for a staff id (the id itself if no such staff)."""
    if not staff_id:
        return None
    staff = store.get_raw(Staff, staff_id)
    return staff["name"] if staff else staff_id
