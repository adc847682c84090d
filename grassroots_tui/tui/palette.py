"""Command palette entries for records: households and staff, found by 户号, name or
pinyin initials (typing ``zs`` finds 张三). Names are shown masked, as in every list,
except a household whose whole name or 户号 was typed (:func:`masking.named_by_query`),
as in the household picker. And Textual's own system commands in the interface language
(:func:`system_commands`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

from grassroots_tui.i18n import t
from grassroots_tui.services.households import find_households
from grassroots_tui.services.masking import Masker, named_by_query
from grassroots_tui.services.pinyin import score

if TYPE_CHECKING:
    from textual.app import SystemCommand


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


#: Textual's system commands (App.get_system_commands) by their English title: the
#: catalog key of the title said instead (its help is ``<key>.help``).
SYSTEM_TITLES = {
    "Theme": "system.theme",
    "Quit": "system.quit",
    "Keys": "system.keys",
    "Maximize": "system.maximize",
    "Minimize": "system.minimize",
    "Screenshot": "system.screenshot",
}
#: A system command whose help differs with the state (the keys panel shown or not).
SYSTEM_HELPS = {"Hide the keys and widget help panel": "system.keys_hide.help"}


def system_commands(app: Any, commands: Iterable[SystemCommand]) -> Iterator[SystemCommand]:
    """Textual's system commands for the palette, in the interface language.

    A system command that runs an action the app lists among its own commands (Textual's
    Theme and Quit: the app's 更换主题 and 退出, whose 退出 asks first about a form holding
    something typed) is left out, so the palette does not list it twice. A command this
    Textual has and the table does not know is passed on as it is."""
    own = {f"action_{cmd.action}" for cmd in getattr(app, "CMDS", ())}
    for command in commands:
        if getattr(command.callback, "__name__", None) in own:
            continue
        key = SYSTEM_TITLES.get(command.title)
        if key is None:
            yield command
            continue
        help_key = SYSTEM_HELPS.get(command.help, key + ".help")
        yield command._replace(title=t(key), help=t(help_key))


class Palette(CommandPalette):
    """Textual's command palette with its own words in the interface language: the
    search box's hint and "No matches found"."""

    def __init__(self, providers: Any = None, *, placeholder: str | None = None, **kw: Any):
        super().__init__(providers, placeholder=placeholder or t("palette.placeholder"), **kw)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own (textual/command.py), the text said in the interface language.
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(t("palette.no_matches"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


def open_command_palette(app: Any) -> None:
    """What ``App.action_command_palette`` does, with :class:`Palette`."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(Palette(id="--command-palette"))


def open_theme_palette(app: Any) -> None:
    """What ``App.search_themes`` does (the palette's 更换主题), with :class:`Palette`."""
    from textual.theme import ThemeProvider

    app.push_screen(Palette(providers=[ThemeProvider], placeholder=t("palette.themes")))
