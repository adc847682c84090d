"""How a slip looks in a list and in the detail pane (shared by the slips screen and the
supervisors' board)."""

from __future__ import annotations

import re

from rich.text import Text

from grassroots_tui.i18n import label, t
from grassroots_tui.models import SlipView
from grassroots_tui.models.base import writer_of
from grassroots_tui.services.deadlines import SlipClock
from grassroots_tui.services.masking import Masker, mask_text, resident_names
from grassroots_tui.services.slip_rules import category_name
from grassroots_tui.services.slips import pending_extension_request, slip_history
from grassroots_tui.store import Store

_NUMBER = re.compile(r"(\d{4}).*?(\d+)\D*$")
CLOCK_STYLE = {"overdue": "bold red", "due_today": "bold yellow", "warning": "yellow", "ok": ""}


def short_number(number: str | None) -> str:
    """湘龙群交〔2026〕第0015号 → 2026-0015: what fits a list column."""
    if not number:
        return t("slip.no_number")
    match = _NUMBER.search(number)
    return f"{match.group(1)}-{match.group(2)}" if match else number


def clock_text(clock: SlipClock | None, provisional: bool) -> Text:
    if clock is None:
        return Text("")
    if clock.state == "overdue":
        key = "slip.clock.reported" if clock.reported else "slip.clock.overdue"
        text = t(key, days=clock.days_overdue)
    elif clock.state == "due_today":
        text = t("slip.clock.due_today")
    elif clock.state == "warning":
        text = t("slip.clock.warning", days=clock.days_left)
    else:
        text = t("slip.clock.ok", days=clock.days_left)
    if provisional:
        text += t("slip.clock.provisional")
    return Text(text, style=CLOCK_STYLE.get(clock.state, ""))


def describe_slip(store: Store, slip: SlipView, due_text: str, clock: Text) -> Text:
    """The detail pane: the title, description and every step's text go through
    :func:`masking.mask_text` with every registered resident's name, as on the print."""
    masker = Masker()
    names = resident_names(store)

    def masked(value: str | None) -> str:
        return mask_text(value, masker, names)

    text = Text()
    text.append(f"{slip.number or t('slip.no_number')}  {masked(slip.title)}\n", style="bold")
    if store.may_write(slip.stored()) is not None:  # another's: shown, never changed here
        text.append(t("slip.owner", who=store.writer_label(writer_of(slip))) + "\n", style="italic")
    text.append(f"{label(slip.state)} · {category_name(slip.category)} · {label(slip.source)}  ")
    text.append(t("slip.due_line", due=due_text))
    text.append("  ")
    text.append_text(clock)
    text.append("\n")
    if slip.person_name:
        text.append(f"{t('slip.person')}{t('punct.colon')}{masker.name(slip.person_name)}  ")
    text.append(f"{t('slip.unit')}{t('punct.colon')}{slip.handling_unit or '-'}\n")
    # Masked before it is cut, so that a number at the cut is never left half unmasked.
    text.append(masked(slip.description)[:200] + "\n")
    waiting = pending_extension_request(store, slip.id)
    if waiting is not None:
        text.append(
            t(
                "slip.request_waiting",
                on=waiting["requested_on"],
                due=waiting["wanted_due_date"],
            )
            + "\n",
            style="bold",
        )
    for entry in slip_history(store, slip.id):
        when = entry.at.isoformat()[:16].replace("T", " ")
        text.append(f"  {when} {entry.who} {masked(entry.what)}\n")
    return text
