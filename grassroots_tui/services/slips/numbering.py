"""Slip numbers (湘龙群交〔2026〕第0015号): per station and year, never reused, and
finding a slip by its number."""

from __future__ import annotations

import re
import string

from grassroots_tui.lang import tr
from grassroots_tui.models import Station
from grassroots_tui.models.base import OFFICE, writer_of
from grassroots_tui.models.slip import SlipView
from grassroots_tui.models.station import OFFICE_SLIP_NUMBER_FORMAT
from grassroots_tui.services.slips.clock import legacy_of, slip_timeline, views
from grassroots_tui.services.slips.errors import SlipActionRefused, SlipNotFound
from grassroots_tui.services.text import listed
from grassroots_tui.store import Store


def _number_of(store: Store, slip_id: str | None) -> str:
    raw = store.get_raw("handoff_slip", slip_id) if slip_id else None
    if raw is None:
        return slip_id or "-"
    return slip_timeline(store, raw, None).number or tr("草稿：{title}", title=raw.get("title", ""))


def _number_pattern(template: str, year: int) -> re.Pattern[str]:
    parts: list[str] = []
    seen_seq = False
    for literal, name, spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name == "year":
            parts.append(re.escape(format(year, spec or "")))
        elif name == "seq":
            parts.append(r"\s*(?P=seq)" if seen_seq else r"\s*(?P<seq>\d+)")
            seen_seq = True
    return re.compile("".join(parts))


def numbers_ever_used(store: Store, station_id: str) -> set[str]:
    """Every number a slip of the station holds now or held at any time (audit trail).
    The office's numbers (:func:`next_office_number`) are in a format of their own."""
    used = {
        raw["number"]
        for raw in store.raw("slip_issue")
        if raw.get("station_id") == station_id and raw.get("number")
    }
    for raw in store.raw("handoff_slip"):  # numbers kept by slips of schema version 1
        legacy = legacy_of(raw)
        if raw.get("station_id") == station_id and legacy and legacy.get("number"):
            used.add(legacy["number"])
    for entry in store.raw("audit_entry"):
        if entry.get("target_kind") not in _NUMBERED or entry.get("station_id") != station_id:
            continue
        for value in (entry.get("changes") or {}).get("number") or ():
            if isinstance(value, str) and value:
                used.add(value)
        before = entry.get("before")
        if isinstance(before, dict):
            legacy = legacy_of(before) or before
            if legacy.get("number"):
                used.add(legacy["number"])
    return used


#: The kinds whose audit entries may name a slip number: the slip (schema version 1 kept
#: it) and its issue step.
_NUMBERED = ("handoff_slip", "slip_issue")


def next_number(store: Store, station: Station, year: int) -> str:
    """The station's next slip number in ``year``: one after the highest ever used.

    A number once given (even to a slip later withdrawn, deleted or undone) is never
    given again.
    """
    used = numbers_ever_used(store, station.id)
    pattern = _number_pattern(station.slip_number_format, year)
    highest = 0
    for number in used:
        match = pattern.fullmatch(number)
        if match:
            highest = max(highest, int(match.group("seq")))
    seq = highest + 1
    while station.slip_number(year, seq) in used:
        seq += 1
    return station.slip_number(year, seq)


def next_office_number(
    store: Store, year: int, number_format: str = OFFICE_SLIP_NUMBER_FORMAT
) -> str:
    """The street office's next number in ``year`` for a slip it issues to a station
    (上级交办): one after the highest it ever gave, in its own format (the office's
    ``office_number_format`` in slip_rules.json) and sequence."""
    used = {
        str(raw["number"])
        for raw in store.raw("slip_issue")
        if writer_of(raw) == OFFICE and raw.get("number")
    }
    for entry in store.raw("audit_entry"):
        if entry.get("target_kind") == "slip_issue":
            for value in (entry.get("changes") or {}).get("number") or ():
                if isinstance(value, str) and value:
                    used.add(value)
    pattern = _number_pattern(number_format, year)
    highest = max((int(m.group("seq")) for m in map(pattern.fullmatch, used) if m), default=0)
    seq = highest + 1
    while number_format.format(year=year, seq=seq) in used:
        seq += 1
    return number_format.format(year=year, seq=seq)


def find_slip(store: Store, text: str, *, station: str | None = None) -> SlipView:
    """A slip by its full number, its id, or the short form "2026-0015" / "2026-15";
    ``station`` (a station code or id) narrows the search when short forms collide."""
    text = text.strip()
    slips = list(views(store, None).values())
    if station:
        wanted = station.strip().upper()
        ids = {
            s["id"]
            for s in store.raw("station")
            if s["id"] == station or str(s.get("code", "")).upper() == wanted
        }
        if not ids:
            raise SlipNotFound(tr("没有站点代码为“{code}”的群工站。", code=station))
        slips = [s for s in slips if s.station_id in ids]
    exact = [s for s in slips if s.number == text or s.id == text]
    if not exact:
        short = re.fullmatch(r"(\d{4})\s*[-－/]\s*0*(\d+)", text)
        if short:
            year, seq = short.group(1), int(short.group(2))
            for s in slips:
                number = s.number or ""
                found = re.search(r"(\d{4}).*?(\d+)\D*$", number)
                if found and found.group(1) == year and int(found.group(2)) == seq:
                    exact.append(s)
    if not exact:
        raise SlipNotFound(tr("找不到编号为“{number}”的交办单。", number=text))
    if len(exact) > 1:
        raise SlipActionRefused(
            tr(
                "“{number}”对应多张交办单（{slips}），请写出完整编号，或用 --station 指定群工站。",
                number=text,
                slips=listed(s.number or s.id for s in exact[:5]),
            )
        )
    return exact[0]
