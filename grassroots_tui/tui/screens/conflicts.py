"""The conflicts with the hub (F10, or 同步冲突 in the palette): the laptop's open
conflicts, and for the one selected its version and the hub's side by side, field by
field, the differing fields marked. The hub's version is read in a worker.

Who may change the station's settings (the head, services/auth.py ``station.settings``)
resolves: keep this laptop's version (m), the hub's (h), or merge (e, then space on each
differing field to choose its side, s to save). Anyone else sees the screen read-only.
The domain is grassroots_tui/hub/conflicts.py; every value is masked as in every list
(services/masking.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Label

from grassroots_tui.hub import conflicts as C
from grassroots_tui.hub.engines import HubConnection, HubUnavailable
from grassroots_tui.i18n import language, t
from grassroots_tui.models import KINDS
from grassroots_tui.models.audit import actor_name
from grassroots_tui.services import masking
from grassroots_tui.services.auth import can, require
from grassroots_tui.services.households import tag_name
from grassroots_tui.services.masking import (
    RESIDENT_NAME_FIELDS,
    Masker,
    ResidentNames,
    mask_text,
    resident_names,
)
from grassroots_tui.services.text import listed
from grassroots_tui.tui.commands import Cmd, bindings, localize_bindings
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.sync_status import HubSync
from grassroots_tui.tui.widgets.footer import Footer
from grassroots_tui.tui.widgets.section_bar import SectionBar
from grassroots_tui.tui.workers import StoreWorkers

#: Who may resolve a conflict (the station head; at the office, its head).
PERMISSION = "station.settings"
#: Fields that hold a resident's name.
NAME_FIELDS = frozenset(name for _kind, name in RESIDENT_NAME_FIELDS)
#: The longest value a cell shows.
CELL = 60
RESOLVE_ACTIONS = frozenset({"keep_mine", "keep_hub", "merge"})
MERGE_ACTIONS = frozenset({"pick", "save_merge"})


def kind_label(kind: str) -> str:
    model = KINDS.get(kind)
    if language() == "zh" and model is not None and model.LABEL:
        return model.LABEL
    return kind.replace("_", " ")


def field_label(kind: str, name: str) -> str:
    model = KINDS.get(kind)
    info = model.model_fields.get(name) if model is not None else None
    if language() == "zh" and info is not None and info.title:
        return info.title
    return name.replace("_", " ")


def names_in(*docs: dict[str, Any] | None) -> set[str]:
    """The residents' names the documents themselves hold (so a name only the hub's
    version has is masked in free text too)."""
    found: set[str] = set()
    for doc in docs:
        for name in NAME_FIELDS:
            value = (doc or {}).get(name)
            if isinstance(value, str):
                found.add(value)
            elif isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
    return found


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CELL else text[: CELL - 1] + "…"


def shown_value(name: str, value: Any, names: ResidentNames) -> str:
    """A field's value as the screen shows it: masked like every list."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return t("conflicts.yes") if value else t("conflicts.no")
    if name in NAME_FIELDS:
        items = value if isinstance(value, list) else [value]
        return _cut(listed(masking.mask_name(str(v)) for v in items))
    if name == "id_number":
        return masking.mask_id(str(value))
    if name == "phone" or name.endswith("_phone"):
        return masking.mask_phone(str(value))
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = listed(tag_name(v) for v in value) if name == "tags" else listed(value)
    elif isinstance(value, (int, float)):
        return str(value)
    else:
        text = orjson.dumps(value).decode("utf-8")
    return _cut(mask_text(text, Masker(), names))


def doc_title(doc: dict[str, Any] | None, names: ResidentNames) -> str:
    """Which document it is, masked: a household's 户号 and head, a slip's title, …"""
    if not doc:
        return "—"
    if doc.get("household_no"):
        return f"{doc['household_no']} {masking.mask_name(doc.get('head_of_household'))}"
    for name in ("title", "number", "name", "reason", "category", "date"):
        if doc.get(name):
            return shown_value(name, doc[name], names)
    return str(doc.get("id", ""))[:8]


def reason_label(conflict: C.OpenConflict) -> str:
    """Why it is a conflict, in the interface's language (the hub's label otherwise)."""
    key = f"conflicts.reason.{conflict.reason}"
    shown = t(key)
    return conflict.reason_label if shown == key else shown


def side_label(key: str, doc: dict[str, Any] | None) -> str:
    """ "本机版本（李敏，2026-11-26 10:00）"."""
    if not doc:
        return t(key, who="—", when="—")
    when = str(doc.get("updated_at") or "")[:16].replace("T", " ") or "—"
    return t(key, who=actor_name(str(doc.get("updated_by") or "—")), when=when)


class ConflictsScreen(StoreWorkers, Screen[None]):
    CMDS = (
        Cmd("conflicts.close", "close", "escape"),
        Cmd("conflicts.mine", "keep_mine", "m"),
        Cmd("conflicts.hub", "keep_hub", "h"),
        Cmd("conflicts.merge", "merge", "e"),
        Cmd("conflicts.pick", "pick", "space"),
        Cmd("conflicts.save", "save_merge", "s"),
    )
    BINDINGS = bindings(*CMDS)
    DEFAULT_CSS = """
    ConflictsScreen { layout: vertical; }
    ConflictsScreen #conflicts-title { padding: 0 1; background: $panel; width: 100%; }
    ConflictsScreen #conflicts-list { height: 8; }
    ConflictsScreen #conflicts-sides { padding: 0 1; color: $text-muted; }
    ConflictsScreen #conflicts-diff { height: 1fr; }
    ConflictsScreen #conflicts-note { padding: 0 1; color: $warning; width: 100%; }
    """

    def __init__(self, hub_sync: HubSync) -> None:
        super().__init__(id="conflicts")
        localize_bindings(self)
        self.hub_sync = hub_sync
        self.conflicts: list[C.OpenConflict] = []
        self.current: C.OpenConflict | None = None
        #: The hub's version of the current conflict's document (None: not read yet).
        self.theirs: dict[str, Any] | None = None
        self.diffs: list[C.FieldDiff] = []
        #: Merging: field → C.MINE or C.HUB (None: not merging).
        self.picks: dict[str, str] | None = None
        #: Resolved here, waiting for the push that acknowledges it.
        self.resolved: set[str] = set()
        self.busy = False

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    @property
    def may_resolve(self) -> bool:
        session = self.session
        return (
            session is not None
            and not session.store.readonly
            and can(session.operator.role, PERMISSION)
        )

    def compose(self) -> ComposeResult:
        # Who, read-only, sync: on every screen (over the section it was opened from).
        yield SectionBar(str(self.app.current_mode or "visits"))
        with Vertical():
            yield Label("", id="conflicts-title", markup=False)
            yield DataTable(id="conflicts-list", cursor_type="row", zebra_stripes=True)
            yield Label("", id="conflicts-sides", markup=False)
            yield DataTable(id="conflicts-diff", cursor_type="row")
            yield Label("", id="conflicts-note", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        listed = self.query_one("#conflicts-list", DataTable)
        listed.add_columns(t("conflicts.kind"), t("conflicts.document"), t("conflicts.reason"))
        self.hub_sync.watchers.append(self.reload)
        self.reload()

    def on_unmount(self) -> None:
        if self.reload in self.hub_sync.watchers:
            self.hub_sync.watchers.remove(self.reload)

    # --- the list --------------------------------------------------------------------------

    def reload(self) -> None:
        store = self.hub_sync.store

        def listed() -> tuple[list[C.OpenConflict], ResidentNames]:
            with store._mutex:
                found = C.open_conflicts(store)
                return found, resident_names(store) | names_in(*(c.mine for c in found))

        self.in_thread(listed, done=self._listed, name="conflicts-list", exclusive=True)

    def _listed(self, result: tuple[list[C.OpenConflict], ResidentNames]) -> None:
        found, names = result
        self.conflicts = found
        self.resolved &= {c.key for c in found}
        table = self.query_one("#conflicts-list", DataTable)
        keep = self.current.key if self.current is not None else None
        table.clear()
        for c in found:
            reason = t("conflicts.waiting") if c.key in self.resolved else reason_label(c)
            table.add_row(kind_label(c.kind), doc_title(c.mine, names), reason, key=c.key)
        title = t("conflicts.title", count=len(found))
        if not self.may_resolve:
            title += t("conflicts.read_only")
        self.query_one("#conflicts-title", Label).update(title)
        if not found:
            self.current = self.theirs = None
            self._show_diff(names)
            self._note(t("conflicts.none"))
            return
        index = next((i for i, c in enumerate(found) if c.key == keep), 0)
        table.move_cursor(row=index)
        table.focus()
        self._select(found[index])

    @on(DataTable.RowHighlighted, "#conflicts-list")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        key = event.row_key.value if event.row_key is not None else None
        chosen = next((c for c in self.conflicts if c.key == key), None)
        if chosen is not None and (self.current is None or chosen.key != self.current.key):
            self._select(chosen)

    def _select(self, conflict: C.OpenConflict) -> None:
        """Show a conflict: the laptop's version at once, the hub's once it is read."""
        self.current, self.theirs, self.picks = conflict, None, None
        config, store = self.hub_sync.config, self.hub_sync.store

        def read() -> tuple[dict[str, Any] | None, str | None, ResidentNames]:
            problem: str | None = None
            try:
                with HubConnection.open(config.address) as hub:
                    theirs = C.hub_version(hub, conflict.kind, conflict.id)
            except HubUnavailable as error:
                theirs, problem = None, t("conflicts.offline", reason=str(error))
            else:
                if theirs is None:
                    problem = t("conflicts.not_at_hub")
            with store._mutex:
                names = resident_names(store) | names_in(conflict.mine, theirs)
            return theirs, problem, names

        def got(result: tuple[dict[str, Any] | None, str | None, ResidentNames]) -> None:
            theirs, problem, names = result
            if self.current is None or self.current.key != conflict.key:
                return  # another was selected meanwhile
            self.theirs = theirs
            self._show_diff(names)
            self._note(problem or self._hint())
            self.refresh_bindings()

        self._note(t("conflicts.reading"))
        self.refresh_bindings()
        self.in_thread(read, done=got, name="conflicts-hub", exclusive=True)

    def _hint(self) -> str:
        c = self.current
        if c is None:
            return ""
        if c.key in self.resolved:
            return t("conflicts.waiting_note")
        if not c.resolvable:
            return t("conflicts.unresolvable", reason=reason_label(c))
        if not self.may_resolve:
            return t("conflicts.no_permission")
        if self.picks is not None:
            return t("conflicts.merge_hint")
        return t("conflicts.hint")

    def _note(self, text: str) -> None:
        self.query_one("#conflicts-note", Label).update(text)

    # --- the two versions ------------------------------------------------------------------

    _names: ResidentNames = ResidentNames()

    def _show_diff(self, names: ResidentNames | None = None) -> None:
        if names is not None:
            self._names = names
        c = self.current
        mine = c.mine if c is not None else None
        self.diffs = C.compare(mine, self.theirs) if c is not None else []
        table = self.query_one("#conflicts-diff", DataTable)
        table.clear(columns=True)
        columns = [" ", t("conflicts.field"), t("conflicts.mine"), t("conflicts.theirs")]
        if self.picks is not None:
            columns.append(t("conflicts.keep"))
        table.add_columns(*columns)
        sides = self.query_one("#conflicts-sides", Label)
        if c is None:
            sides.update("")
            return
        sides.update(
            side_label("conflicts.mine_side", mine)
            + "    "
            + side_label("conflicts.theirs_side", self.theirs)
        )
        for diff in self._shown_diffs():
            row = [
                "≠" if diff.differs else "",
                field_label(c.kind, diff.name),
                shown_value(diff.name, diff.mine, self._names),
                shown_value(diff.name, diff.hub, self._names)
                if self.theirs is not None
                else t("conflicts.reading_short"),
            ]
            if self.picks is not None:
                side = self.picks.get(diff.name)
                row.append(
                    ""
                    if side is None
                    else t("conflicts.keep_mine")
                    if side == C.MINE
                    else t("conflicts.keep_hub")
                )
            table.add_row(*row, key=diff.name)

    def _shown_diffs(self) -> Iterable[C.FieldDiff]:
        """Differing fields first, then the rest; without the hub's version, the laptop's."""
        if self.theirs is None:
            return [d for d in self.diffs if d.mine not in (None, "", [], {})]
        return [d for d in self.diffs if d.differs] + [d for d in self.diffs if not d.differs]

    # --- resolving -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in RESOLVE_ACTIONS or action in MERGE_ACTIONS:
            c = self.current
            ready = (
                self.may_resolve
                and not self.busy
                and c is not None
                and c.resolvable
                and c.key not in self.resolved
                and self.theirs is not None
            )
            if not ready or c is None:
                return False
            merging = self.picks is not None
            if action in MERGE_ACTIONS:
                return merging
            if action == "merge":
                return not (self.theirs or {}).get("deleted") and not (c.mine or {}).get("deleted")
            return True
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_keep_mine(self) -> None:
        self._ask(C.MINE)

    def action_keep_hub(self) -> None:
        self._ask(C.HUB)

    def action_merge(self) -> None:
        """Start (or leave) merging: each differing field keeps this laptop's value until
        space gives it the hub's."""
        if self.picks is None:
            self.picks = {d.name: C.MINE for d in self.diffs if d.differs}
            self.query_one("#conflicts-diff", DataTable).focus()
        else:
            self.picks = None
            self.query_one("#conflicts-list", DataTable).focus()
        self._show_diff()
        self._note(self._hint())
        self.refresh_bindings()

    def action_pick(self) -> None:
        if self.picks is None:
            return
        table = self.query_one("#conflicts-diff", DataTable)
        if not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if name not in self.picks:
            return  # the same on both sides
        self.picks[name] = C.HUB if self.picks[name] == C.MINE else C.MINE
        row = table.cursor_row
        self._show_diff()
        table.move_cursor(row=row)

    def action_save_merge(self) -> None:
        if self.picks is not None:
            self._ask(C.MERGE)

    def _ask(self, choice: str) -> None:
        c = self.current
        if c is None or self.theirs is None:
            return
        names = self._names
        what = t(
            f"conflicts.ask_{choice}",
            kind=kind_label(c.kind),
            document=doc_title(c.mine, names),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._resolve(choice)

        self.app.push_screen(ConfirmDialog(what), callback=answered)

    def _resolve(self, choice: str) -> None:
        c, theirs = self.current, self.theirs
        if c is None or theirs is None:
            return
        session = self.session
        role, actor = session.operator.role, session.actor
        config, store = self.hub_sync.config, self.hub_sync.store
        picks = dict(self.picks or {}) if choice == C.MERGE else None
        expected = str(theirs.get("rev_hash") or "")

        def work() -> dict[str, Any]:
            require(role, PERMISSION)  # checked again where the work is done
            with HubConnection.open(config.address) as hub, store._mutex:
                return C.resolve(
                    store,
                    hub,
                    c.kind,
                    c.id,
                    choice,
                    actor,
                    merged_fields=picks,
                    expected_hub_hash=expected,
                )

        def done(_revision: dict[str, Any]) -> None:
            self.busy = False
            self.resolved.add(c.key)
            self.picks = None
            self.notify(t("conflicts.resolved"), markup=False)
            self._listed((self.conflicts, self._names))
            self.hub_sync.trigger()  # the push that settles it

        self.busy = True
        self.refresh_bindings()
        self.in_thread(work, done=done, name="conflicts-resolve")

    def on_worker_state_changed(self, event: Any) -> None:
        # (StoreWorkers' handler tells the error; this one lets the keys work again.)
        if event.worker.name == "conflicts-resolve" and event.state.name in ("ERROR", "CANCELLED"):
            self.busy = False
            self.refresh_bindings()
