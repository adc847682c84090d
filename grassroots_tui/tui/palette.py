"""Command palette entries for records: households and staff, found by 户号, name or
pinyin initials (typing ``zs`` finds 张三). Names are shown masked, as in every list,
except a household whose whole name or 户号 was typed (:func:`masking.named_by_query`),
as in the household picker."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider
from textual.content import Content

from grassroots_tui.i18n import t
from grassroots_tui.services.households import find_households
from grassroots_tui.services.masking import Masker, named_by_query
from grassroots_tui.services.pinyin import score


class RecordsProvider(Provider):
    async def search(self, query: str) -> Hits:
        session = getattr(self.app, "session", None)
        if session is None or getattr(self.app, "signed_out", False) or not query.strip():
            return
        masker = Masker()
        households = session.store.raw("household")
        if session.station_id:
            households = [h for h in households if h.get("station_id") == session.station_id]
        for rank, household in enumerate(find_households(households, query, limit=20)):
            head = household["head_of_household"]
            if not named_by_query(query, head, household["household_no"]):
                head = masker.name(head)
            title = (
                f"{t('palette.household')} {household['household_no']} "
                f"{head}  {household.get('address', '')}"
            )
            open_it = partial(self.app.open_household, household["id"])  # type: ignore[attr-defined]
            yield Hit(0.95 - rank * 0.01, Content(title), open_it, text=title)
        for staff in session.store.raw("staff"):
            match = score(query, staff["name"])
            if match > 0:
                title = f"{t('palette.staff')} {staff['name']}"
                yield Hit(match * 0.9, Content(title), self.app.action_staff, text=title)  # type: ignore[attr-defined]
