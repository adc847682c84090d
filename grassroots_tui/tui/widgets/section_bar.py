"""The two lines at the top of every section: where you are, and the other sections."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from grassroots_tui.i18n import t
from grassroots_tui.tui.commands import keys_for
from grassroots_tui.tui.sections import SECTIONS


class SectionBar(Static):
    DEFAULT_CSS = """
    /* Two lines, each kept to its line: a long status (the hub's) is cut with an
       ellipsis, never wrapped onto the sections' line (at 80 columns, issue #19). */
    SectionBar {
        height: 2; background: $panel; color: $text; padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__(id="section-bar")
        self.current = current

    def on_mount(self) -> None:
        self.refresh_bar()

    def refresh_bar(self) -> None:
        """Show who is signed in now (called again each time the section is shown: the
        operator changes when someone else signs in, and the date at midnight)."""
        self.update(self.render_bar())

    def render_bar(self) -> Text:
        session = getattr(self.app, "session", None)
        line = Text(no_wrap=True, overflow="ellipsis")
        if session is not None:
            station = session.station.name if session.station else t("app.street_office")
            role = t(f"enum.StaffRole.{session.operator.role.value}")
            line.append(station, style="bold")
            operator = t("app.operator", name=session.operator.name, role=role)
            line.append(f"  {operator}  {session.today().isoformat()}")
            # Always there, not only in a notice that fades: whether changes can be made
            # here, and whether they reach the hub (issue #19).
            if session.store.readonly:
                line.append(f"  {t('bar.readonly')}", style="bold reverse")
            status = getattr(self.app, "sync_status_text", None)  # the hub's (tui/sync_status.py)
            shown = status() if callable(status) else ""
            if shown:
                line.append(f"  {shown}", style="bold")
            elif getattr(self.app, "hub_sync", None) is None:  # no hub: nothing to sync
                line.append(f"  {t('bar.standalone')}", style="dim")
        else:
            line.append(t("app.title"), style="bold")
        line.append("\n")
        for section in SECTIONS:
            title = t(f"section.{section.mode}")
            keys = keys_for(self.app, section.cmd)
            style = "reverse bold" if section.mode == self.current else ""
            line.append(f" {title}", style=style)
            line.append(f" {keys} " if keys else " ", style=style + " dim" if style else "dim")
        return line
