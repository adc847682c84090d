"""The Textual application: sign-in, then one mode per section."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual._context import active_app
from textual._styles_cache import StylesCache
from textual.app import App, InvalidThemeError
from textual.geometry import Offset
from textual.widgets import Input

from grassroots_tui.i18n import language, t
from grassroots_tui.services.text import listed
from grassroots_tui.store.settings import Settings, save_settings
from grassroots_tui.tui.commands import Cmd, CommandsProvider, bindings, localize_bindings
from grassroots_tui.tui.dialogs.confirm import ConfirmDialog
from grassroots_tui.tui.screens.signin import SignInScreen
from grassroots_tui.tui.sections import SECTIONS
from grassroots_tui.tui.signin_list import Person, keep, people_of
from grassroots_tui.tui.styling import css_generation, mark_styled
from grassroots_tui.tui.sync_status import HUB_ACTIONS, HubSyncApp
from grassroots_tui.tui.workers import StoreWorkers, unexpected_error_text

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from grassroots_tui.models import Staff
    from grassroots_tui.services import undo as undo_service
    from grassroots_tui.services.auth import SignInGuard
    from grassroots_tui.store import Store
    from grassroots_tui.tui.session import Session

log = logging.getLogger("grassroots_tui")


def _now() -> datetime:
    return datetime.now().astimezone()


class _SectionScreens(Mapping[str, "type[Screen[Any]]"]):
    """Each section's screen class, its module imported when the section is first
    opened: the program starts on the sign-in screen, and importing every section (and
    what each uses) before showing it took about a tenth of a second of the start."""

    WHERE = {
        "visits": ("grassroots_tui.tui.screens.visits", "VisitsScreen"),
        "households": ("grassroots_tui.tui.screens.households", "HouseholdsScreen"),
        "slips": ("grassroots_tui.tui.screens.slips", "SlipsScreen"),
        "hardship": ("grassroots_tui.tui.screens.hardship", "HardshipScreen"),
        "rosters": ("grassroots_tui.tui.screens.rosters", "RostersScreen"),
        "supervision": ("grassroots_tui.tui.screens.supervision", "SupervisionScreen"),
        "statistics": ("grassroots_tui.tui.screens.statistics", "StatisticsScreen"),
    }

    def __getitem__(self, mode: str) -> type[Screen[Any]]:
        module, name = self.WHERE[mode]
        return getattr(import_module(module), name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.WHERE)

    def __len__(self) -> int:
        return len(self.WHERE)


SCREENS = _SectionScreens()


#: Seconds between two steps of preparing the sections ahead (GrassrootsApp.
#: _prepare_sections): the UI thread composes one screen (50-100 ms), then is free.
AHEAD_PAUSE = 0.2


def _settled(screen: Screen[Any]) -> bool:
    """Mounted, and no build of the screen's rows or figures pending or running."""
    if not screen.is_mounted or getattr(screen, "_pending", None) is not None:
        return False
    return not any(
        worker.node is screen and worker.state.name in ("PENDING", "RUNNING")
        for worker in screen.app.workers
    )


def _section_screen(mode: str) -> Callable[[], Screen[Any]]:
    """What Textual calls for a section's screen the first time the section is opened:
    the one prepared while the person signed in (:class:`FirstList`), else a new one."""

    def make() -> Screen[Any]:
        app = active_app.get(None)
        prepared = getattr(app, "first_list", None)
        if prepared is not None and prepared.mode == mode and prepared.taken:
            screen = prepared.screen  # (not mounted yet: styled as it is)
        elif isinstance(app, GrassrootsApp) and (ahead := app.take_section_ahead(mode)):
            return ahead
        else:
            screen = SCREENS[mode]()
        mark_styled(app, screen, css_generation(app))
        return screen

    return make


class FirstList:
    """The first list (the visits) of the person under the sign-in cursor, built while
    they type their PIN (issue #19): the screen, made on the UI thread and not mounted,
    and its rows, built in a thread exactly as the screen builds them
    (``ListSectionScreen.build``), for a session of that person that is not signed in
    (the app stays ``signed_out`` meanwhile, as when someone signs out: no section, no
    command is reachable). When that very person signs in, the screen is the one shown
    and its rows go into its table at once; when anyone else does, it is dropped and
    the list is built as usual. The rows are the store's as it was: the screen's own
    reload on mount puts in what changed since (``_reload_in_place``)."""

    mode = "visits"

    def __init__(self, person_id: str, screen: Screen[Any]) -> None:
        self.person_id = person_id
        self.screen = screen
        self.rows: Any = None
        self.extra: Any = None
        #: Handed to the mode (the person signed in).
        self.taken = False

    @property
    def built(self) -> bool:
        return self.rows is not None


#: What the first list, its forms and the board import: imported while the person signs
#: in (GrassrootsApp._warm_up).
WARM_MODULES = (
    "grassroots_tui.tui.session",
    "grassroots_tui.services.undo",
    "grassroots_tui.tui.screens.visits",
    "grassroots_tui.tui.dialogs.visit_form",
    "grassroots_tui.tui.screens.board",
)


def warm_pinyin(store: Store) -> None:
    """The pinyin of every name the visits list shows and finds by (the households'
    heads, the visitors of each visit as listed), into the pinyin module's caches: the
    first list of 50,000 visits otherwise converts them while the person waits."""
    from grassroots_tui.services.pinyin import search_text, sort_key

    names = {s["id"]: s.get("name", "") for s in store.raw("staff")}
    for household in store.raw("household"):
        head = household.get("head_of_household") or ""
        search_text(head)
        sort_key(head)
    teams = {tuple(v.get("visitor_ids") or ()) for v in store.raw("visit")}
    for team in teams:
        search_text(listed(names.get(i, "?") for i in team))


def _records_provider() -> type[Provider]:
    """The palette's records (households, slips): imported when the palette opens."""
    from grassroots_tui.tui.palette import RecordsProvider

    return RecordsProvider


def release_closed_widgets() -> None:
    """Let the widgets of a closed screen go.

    Textual 8 memoizes ``StylesCache.get_inner_outer`` with ``functools.lru_cache`` on
    the instance method, so the cache holds up to 1,024 widgets' style caches, with
    every line they drew, after the widgets are gone (Textualize/textual#6665). Each
    visit form left about 11,000 objects behind; the cyclic collector walked them all
    on every full collection, a pause of 50 to 70 ms after a dozen saves
    (bench/FINDINGS-app.md). Emptying the cache when a screen closes frees them; the
    screens still shown fill it again with a few entries.
    """
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:  # a Textual that fixed it may not cache it this way
        cache_clear()


class GrassrootsApp(HubSyncApp, StoreWorkers, App[None]):
    TITLE = "grassroots-tui"
    CSS_PATH = "app.tcss"
    CMDS = (
        Cmd("app.quit", "quit", "ctrl+q", priority=True),
        Cmd("app.help", "help", "f1,question_mark"),
        *(section.cmd for section in SECTIONS),
        Cmd("app.settings", "settings", "f9"),
        Cmd("app.staff", "staff", None, footer=False),
        Cmd("app.undo", "undo", "ctrl+z"),
        Cmd("app.redo", "redo", "ctrl+y", footer=False),
        Cmd("app.theme", "change_theme", None, footer=False),
        Cmd("app.sign_out", "sign_out", None, footer=False),
        Cmd("app.conflicts", "conflicts", "f10", footer=False),
        Cmd("app.sync_now", "sync_now", None, footer=False),
    )
    BINDINGS = bindings(*CMDS)
    COMMANDS = App.COMMANDS | {CommandsProvider, _records_provider}
    MODES = {section.mode: _section_screen(section.mode) for section in SECTIONS}

    def __init__(
        self,
        store: Store | None = None,
        settings: Settings | None = None,
        *,
        opener: Callable[[], Store] | None = None,
        people: list[Person] | None = None,
        folder: Path | None = None,
        clock: Callable[[], datetime] = _now,
        persist_settings: bool = True,
    ) -> None:
        """The program on ``store`` (opened already), or on the store ``opener`` opens
        in a thread while the sign-in screen lists ``people`` (kept from the last start:
        :mod:`grassroots_tui.tui.signin_list`); ``folder`` is the store's folder, for the
        error log until it is open."""
        super().__init__()
        localize_bindings(self)
        if (store is None) == (opener is None):
            raise ValueError("give the app a store, or a way to open one, not both")
        self._store = store
        self.opener = opener
        self.people = people or []
        self._folder = folder if store is None else store.paths.folder
        self.settings = settings or Settings()
        self.clock = clock
        self.persist_settings = persist_settings
        self.session: Session | None = None
        #: Signed out, the sign-in screen showing: the old session is kept meanwhile.
        self.signed_out = False
        self._guard: SignInGuard | None = None
        #: The names the forms kept between openings are installed under (keep_form).
        self._kept: set[str] = set()
        self._sections_ahead = {}
        #: The first list prepared for the person under the sign-in cursor, if any.
        self.first_list: FirstList | None = None
        #: Why the store could not be opened (shown on the sign-in screen); None if it was.
        self.open_failed: str | None = None
        #: The line to print instead of a traceback when an unexpected error closes us.
        self._crash_message: str | None = None
        try:
            self.theme = self.settings.theme
        except InvalidThemeError:
            pass

    @property
    def store(self) -> Store:
        """The open store (an AttributeError until it is open: see :attr:`store_open`)."""
        if self._store is None:
            raise AttributeError("the store is not open yet")
        return self._store

    @property
    def signed_in(self) -> bool:
        """Someone is signed in (a session kept while the sign-in screen shows, after a
        sign-out or for the first list prepared meanwhile, is not)."""
        return self.session is not None and not self.signed_out

    @property
    def store_open(self) -> bool:
        return self._store is not None

    @property
    def guard(self) -> SignInGuard:
        if self._guard is None:
            from grassroots_tui.services.auth import SignInGuard

            clock = self.clock
            self._guard = SignInGuard(clock=lambda: clock().timestamp())
        return self._guard

    @property
    def error_log_folder(self) -> Path:
        """Where unexpected errors' tracebacks are written: beside the store."""
        if self._store is not None:
            return self._store.paths.folder
        return self._folder or Path.cwd()

    def _handle_exception(self, error: Exception) -> None:
        """An error no handler caught closes the program, as in Textual, but its
        traceback (which Textual prints with the local variables, residents' data
        among them) goes to the error log; the terminal gets one line naming the file."""
        self._crash_message = unexpected_error_text("error.crashed", error, self.error_log_folder)
        super()._handle_exception(error)

    def _print_error_renderables(self) -> None:
        """Called by Textual once the terminal is back to normal, to print the traceback
        of the error that closed the program: print our one line instead, unwrapped, so
        the log's path can be copied whole from a narrow terminal."""
        message, self._crash_message = self._crash_message, None
        if message is None:
            super()._print_error_renderables()
            return
        self._exit_renderables.clear()
        self.error_console.file.write(message + "\n")
        self.error_console.file.flush()

    def get_system_commands(self, screen: Screen[Any]) -> Iterator[Any]:
        """Textual's own palette commands, in the interface language (tui/palette.py)."""
        from grassroots_tui.tui.palette import system_commands

        return system_commands(self, super().get_system_commands(screen))

    def action_command_palette(self) -> None:
        """Textual's command palette, its own words in the interface language."""
        from grassroots_tui.tui.palette import open_command_palette

        open_command_palette(self)

    def search_themes(self) -> None:
        """The themes to choose from (更换主题), the search box's hint in the language."""
        from grassroots_tui.tui.palette import open_theme_palette

        open_theme_palette(self)

    def pop_screen(self):
        popped = super().pop_screen()
        release_closed_widgets()
        return popped

    # --- start-up -----------------------------------------------------------------------

    def show_store_warnings(self) -> None:
        """Each note the store made of a problem it worked around (a daily backup that
        could not be made, a data file recreated), once, as a warning."""
        while self.store_open and self.store.warnings:
            self.notify(self.store.warnings.pop(0), severity="warning", timeout=15, markup=False)

    def on_mount(self) -> None:
        if self.settings.keymap:  # checked first: a bad entry is named, its default kept
            from grassroots_tui.tui.keymap_check import apply_keymap

            apply_keymap(self, self.settings.keymap)
        if self.settings.problem:
            self.notify(self.settings.problem, severity="warning", markup=False)
        if self._store is not None:
            self._store_ready(self._store, people_of(self._store))
            return
        # The sign-in screen first, listing the people kept from the last start; the
        # store opens meanwhile, in a thread (issue #19).
        # The thread starts once the screen's first frame is out (_display): importing
        # the store and the models, and parsing the snapshot, hold the interpreter lock
        # against the paint.
        self._after_first_frame = lambda: self.run_worker(
            self._open_in_thread, thread=True, name="open-store", exit_on_error=False
        )
        self.push_screen(
            SignInScreen(self.people, preselect=self.settings.last_operator),
            callback=self._signed_in,
        )

    #: Called once the sign-in screen's first frame has been handed to the terminal.
    _after_first_frame: Callable[[], object] | None = None

    def _display(self, screen: Screen[Any], renderable: Any) -> None:
        super()._display(screen, renderable)
        if (
            self._after_first_frame is not None
            and renderable is not None
            and isinstance(screen, SignInScreen)
        ):
            start, self._after_first_frame = self._after_first_frame, None
            self.call_later(start)

    def _open_in_thread(self) -> None:
        """Open the store (and what signing in needs) in a thread; the outcome is handed
        to the UI thread. An error is told on the sign-in screen, never as a traceback."""
        assert self.opener is not None
        try:
            store = self.opener()
        except BaseException as error:  # noqa: BLE001 - told on the screen, logged
            message = self._opening_error(error)
            self.call_from_thread(self._store_failed, message)
            return
        try:
            people = people_of(store)
            self.guard  # noqa: B018 - imports the models and the PIN check here, not on screen
        except BaseException as error:  # noqa: BLE001
            message = self._opening_error(error)
            store.close()
            self.call_from_thread(self._store_failed, message)
            return
        try:
            self.call_from_thread(self._store_ready, store, people)
        except Exception:
            if self._store is not store:  # the program was closed while the store opened
                store.close()
            raise

    def _opening_error(self, error: BaseException) -> str:
        """The message for an error opening the store (Chinese or English, one line or a
        few, no traceback); it is logged, an unexpected one with its traceback in the
        error log beside the store."""
        from grassroots_tui.store import StoreError

        if isinstance(error, StoreError):
            message = str(error)
        elif isinstance(error, OSError):
            message = t("error.os", reason=error.strerror or str(error))
        else:
            message = unexpected_error_text("error.unexpected", error, self._folder)
        log.error("the store could not be opened: %s", message)
        return message

    def _store_failed(self, message: str) -> None:
        self.open_failed = message
        screen = self.screen
        if isinstance(screen, SignInScreen):
            screen.open_failed(message)
        else:
            self.notify(message, title=t("error.title"), severity="error", markup=False)

    def _store_ready(self, store: Store, people: list[Person]) -> None:
        """The store is open: everything the program does with it from now on."""
        opened_here = self._store is None
        self._store = store
        self.people = people
        # The store's documents live as long as the program: move them out of the cyclic
        # garbage collector's sight, or each full collection walks all of them (a pause of
        # a fifth of a second at 100,000 documents, in the middle of typing). Lists do the
        # same with their rows (ListSectionScreen).
        gc.freeze()
        self.show_store_warnings()
        self.start_hub_sync()
        if store.readonly:
            self.notify(
                store.readonly_reason or t("app.readonly"),
                title=t("app.readonly"),
                severity="warning",
                timeout=15,
                markup=False,
            )
        waiting = self.screen if isinstance(self.screen, SignInScreen) else None
        if not store.count("station"):
            if store.readonly:
                self.notify(t("setup.readonly"), severity="error", markup=False)
                if waiting is not None:
                    waiting.open_failed(t("setup.readonly"))
                return
            from grassroots_tui.tui.screens.setup import SetupScreen

            if waiting is not None:
                self.pop_screen()  # nobody to sign in yet: the first start's set-up
            self.push_screen(SetupScreen(store), callback=self._set_up)
            return
        if waiting is None:
            self.sign_in()
        else:
            waiting.store_opened(store, people, self.guard)
        if opened_here:
            # Kept for the next start's sign-in screen (signin_list), in a thread.
            self.in_thread(lambda: keep(store, people), name="keep-signin")
            self.call_after_refresh(self._warm_up)

    def _warm_up(self) -> None:
        """While the person signs in: import, in a thread, what the first list and its
        forms need, and work out the pinyin its rows show and find by, so that signing
        in and the first screens pay nothing for it (issue #19)."""
        store = self.store
        screen = self.screen
        person = screen._highlighted_id() if isinstance(screen, SignInScreen) else None

        def warm() -> None:
            for module in WARM_MODULES:
                import_module(module)
            warm_pinyin(store)
            if person is not None:
                try:
                    self._prepare_first_list(store, person)
                except Exception:  # noqa: BLE001 - only a head start: the list builds itself
                    log.warning("the first list could not be prepared", exc_info=True)
                    self.first_list = None

        self.in_thread(warm, name="warm-up")

    def _prepare_first_list(self, store: Store, person_id: str) -> None:
        """In the warm-up thread: the first list of ``person_id`` (:class:`FirstList`)."""
        from grassroots_tui.models import Staff, Station
        from grassroots_tui.tui.session import Session

        staff = store.get(Staff, person_id)
        if staff is None or not staff.active:
            return
        station = store.get(Station, staff.station_id) if staff.station_id else None
        provisional = Session(store, staff, station, self.clock)

        def start() -> FirstList | None:
            if self.session is not None or self.first_list is not None:
                return None  # signed in already (or signed out: the old session stays)
            self.session = provisional
            self.signed_out = True
            self.first_list = FirstList(person_id, SCREENS[FirstList.mode]())
            return self.first_list

        prepared = self.call_from_thread(start)
        if prepared is None:
            return
        token = active_app.set(self)  # the screen asks for its app (and its session)
        try:
            rows, extra = prepared.screen.build()  # type: ignore[attr-defined]
        finally:
            active_app.reset(token)
        prepared.extra = extra
        prepared.rows = rows
        # What the board and the lists derive from the slips and the residents' names.
        from grassroots_tui.tui.sync_status import warm_views

        warm_views(store, self)

    def _set_up(self, created: tuple | None) -> None:
        if created is None:
            self.exit()
            return
        from grassroots_tui.tui.dialogs.recovery_key import RecoveryKeyDialog

        self.notify(t("setup.done"), markup=False)
        self.push_screen(RecoveryKeyDialog(created[2].text), callback=lambda _: self.sign_in())

    def sign_in(self) -> None:
        people = people_of(self.store)
        screen = SignInScreen(people, self.guard, self.settings.last_operator, store=self.store)
        self.push_screen(screen, callback=self._signed_in)

    def _signed_in(self, staff: Staff | None) -> None:
        if staff is None:
            self.exit()
            return
        from grassroots_tui.services import undo as undo_service
        from grassroots_tui.tui.session import Session

        station = self.store.get("station", staff.station_id) if staff.station_id else None
        prepared = self.first_list
        kept = self.session
        if prepared is not None and prepared.person_id == staff.id and kept is not None:
            # The session the first list was prepared with, now signed in: its calendar
            # (which the store's derived views are kept for) and rules stay.
            kept.operator, kept.station = staff, station  # type: ignore[assignment]
            kept.signed_in_seq = undo_service.audit_position(self.store)
        else:
            self.session = Session(
                self.store,
                staff,
                station,  # type: ignore[arg-type]
                self.clock,
                signed_in_seq=undo_service.audit_position(self.store),
            )
        assert self.session is not None
        self.signed_out = False
        self.session.slip_rules  # noqa: B018 - read once now, to report a faulty file at once
        if self.session.slip_rules_problem:
            self.notify(
                self.session.slip_rules_problem, severity="warning", timeout=15, markup=False
            )
        self.settings.last_operator = staff.id
        self._save_settings()
        self.refresh_bindings()
        prepared, self.first_list = self.first_list, None
        if (
            prepared is not None
            and prepared.built
            and prepared.person_id == staff.id
            and not self.is_screen_installed(prepared.screen)
            and self.current_mode != prepared.mode
        ):
            prepared.taken = True
            self.first_list = prepared
            self.run_worker(self._show_first_list(prepared), name="first-list")
            return
        self.switch_mode("visits")

    async def _show_first_list(self, prepared: FirstList) -> None:
        """Show the prepared first list and put its rows in its table."""
        await self.switch_mode(prepared.mode)
        self.first_list = None
        screen: Any = prepared.screen
        if screen.is_mounted and not screen.table.rows:
            screen.table.set_rows(prepared.rows)
            screen.loaded(prepared.extra)
            gc.freeze()  # as a list built on screen does (ListSectionScreen.reload)

    # --- screens kept between openings (issue #19) ---------------------------------------

    #: The name a kept form is installed under (with its class's name).
    KEPT_FORM = "kept-form:"

    def _kept_names(self) -> set[str]:
        return self._kept

    def _in_a_stack(self, screen: Screen[Any]) -> bool:
        return any(screen in stack for stack in self._screen_stacks.values())

    def kept_form(self, cls: type, session: Session) -> Any:
        """The form of class ``cls`` kept for ``session``, free to open (mounted, not
        open already); None if there is none (FormScreen.open_kept makes one)."""
        name = self.KEPT_FORM + cls.__qualname__
        if not self.is_screen_installed(name):
            return None
        form: Any = self.get_screen(name)
        if form.session is not session or not form.is_mounted or self._in_a_stack(form):
            return None
        if getattr(form, "language", None) != language():
            return None  # composed in another language
        return form

    def keep_form(self, form: Any) -> None:
        """Keep ``form`` (of the signed-in session) for the next opening of its class; a
        form of the class kept before is let go, unless it is open (then this one is not
        kept)."""
        if form.session is None or form.session is not self.session:
            return
        name = self.KEPT_FORM + type(form).__qualname__
        if self.is_screen_installed(name):
            kept = self.get_screen(name)
            if self._in_a_stack(kept):
                return
            if kept.is_running and not kept.is_mounted and kept.session is self.session:  # type: ignore[attr-defined]
                return  # being composed ahead: kept for the next opening
            self._drop_screen(name)
        self.install_screen(form, name)
        self._kept_names().add(name)

    def drop_kept_form(self, cls: type) -> None:
        self._drop_screen(self.KEPT_FORM + cls.__qualname__)

    def _drop_screen(self, name: str) -> None:
        """Let a kept screen go: uninstalled, and removed if it was composed ahead and
        is not showing. One still showing (under a sign-in, say) is left installed, and
        no longer handed out: its session is not the next one."""
        if not self.is_screen_installed(name):
            self._kept_names().discard(name)
            return
        screen = self.get_screen(name)
        if self._in_a_stack(screen):
            return
        self.uninstall_screen(name)
        self._kept_names().discard(name)
        if screen.is_attached:
            self.call_later(screen.remove)

    def drop_kept_screens(self) -> None:
        """Let go the board and every kept form (on sign-out: the next session, maybe
        someone else's, must not see anything of this one)."""
        from grassroots_tui.tui.screens.board import BoardScreen

        for name in [BoardScreen.NAME, *sorted(self._kept_names())]:
            self._drop_screen(name)
        ahead, self._sections_ahead = self._sections_ahead, {}
        for _session, screen, _styled in ahead.values():
            if screen.is_attached:
                self.call_later(screen.remove)

    def compose_ahead(self, screen: Screen[Any]) -> bool:
        """Compose and style ``screen`` now, while it is not shown, so that its first
        opening costs what opening it again does. This is what Textual's ``push_screen``
        does first with a screen that is not running yet (``App._get_screen``: a private
        method, ``App._register``); if a Textual lacks it or it fails, the screen is
        simply composed when first opened. (tests/test_tui_kept_forms.py fails if this
        stops working.)"""
        if screen.is_running:
            return True
        register = getattr(self, "_register", None)
        if register is None:
            return False
        try:
            register(self, screen)
        except Exception:  # noqa: BLE001 - only a head start
            log.warning("a screen could not be composed ahead", exc_info=True)
            return False
        return True

    def draw_ahead(self, screen: Screen[Any], tries: int = 3) -> None:
        """Lay out and draw a screen composed ahead (compose_ahead), off screen, once it
        is mounted: a screen's first showing otherwise lays out and draws each widget for
        the first time (about 40 ms of a visit form's first opening). Private Textual
        calls too (the screen's layout and compositor); if they fail, it is drawn when
        first shown, as any screen."""
        if self._in_a_stack(screen) or not screen.is_attached:
            return
        if not screen.is_mounted:
            if tries:  # (the screen's own queue: after its compose and mount)
                screen.call_later(self.draw_ahead, screen, tries - 1)
            return
        try:
            screen._refresh_layout(self.size)
            screen._compositor.render_strips()
        except Exception:  # noqa: BLE001 - only a head start
            log.warning("a screen could not be drawn ahead", exc_info=True)
        # Kept for the session: out of the cyclic collector's walks, as the store's
        # documents and the lists' rows are (a full collection walked them during an
        # opening now and then, 20-40 ms).
        gc.freeze()

    def prepare_kept_screens(self) -> None:
        """Once the first list is painted, the app idle: the overdue board and the visit
        form composed ahead, one per refresh (each is about a tenth of a second on the
        UI thread), so that their first opening is as quick as opening them again."""
        session = self.session
        if not self.signed_in or session is None:
            return

        def board() -> None:
            from grassroots_tui.tui.screens.board import BoardScreen

            if self.session is not session or self.signed_out:
                return
            if not self.is_screen_installed(BoardScreen.NAME):
                self.install_screen(BoardScreen(), BoardScreen.NAME)
            board = self.get_screen(BoardScreen.NAME)
            if not board.is_running and self.compose_ahead(board):
                board.call_later(self.draw_ahead, board)
            self.set_timer(AHEAD_PAUSE, lambda: self._prepare_sections(session))

        def visit_form() -> None:
            from grassroots_tui.tui.dialogs.visit_form import VisitForm

            if self.session is not session or self.signed_out:
                return
            self.call_after_refresh(board)
            name = self.KEPT_FORM + VisitForm.__qualname__
            if self.is_screen_installed(name):
                kept: Any = self.get_screen(name)
                if kept.session is session and kept.language == language():
                    return  # kept already (this is called after every reload of the list)
            station = session.station_id
            household = next(
                (
                    h
                    for h in session.store.raw("household")
                    if not station or h.get("station_id") == station
                ),
                None,
            )
            if household is not None:  # (none yet: the form is composed when first opened)
                form = VisitForm(session, household_id=household["id"])
                self.keep_form(form)
                if self.is_screen_installed(name) and self.get_screen(name) is form:
                    if self.compose_ahead(form):
                        form.call_later(self.draw_ahead, form)

        self.call_after_refresh(visit_form)

    #: The sections composed ahead (_prepare_sections), not opened yet: by mode, with
    #: the session they were made for.
    _sections_ahead: dict[str, tuple[Session, Screen[Any], int | None]]
    #: Whether the sections are prepared ahead (tests of other things turn it off: each
    #: would compose six screens it never shows).
    prepare_sections_ahead = True

    def _prepare_sections(self, session: Session) -> None:
        """After the visit form and the board: each section not opened yet composed
        ahead, off screen, one at a time, its rows (or figures) built in its own thread
        as on a first opening, the next one once they are in. The first F3 … F8 then
        shows the section as quickly as the next ones (at 100,000 documents the first
        showed in 90-190 ms and had its rows 200-380 ms after the key, 1 s for the
        statistics; bench/RESULTS-screens.md). Left as it is on sign-out."""
        if self.session is not session or self.signed_out or not self.prepare_sections_ahead:
            return
        waiting = [
            mode
            for mode in SCREENS
            if mode not in self._screen_stacks and mode not in self._sections_ahead
        ]
        if not waiting:
            return
        for _session, screen, _styled in self._sections_ahead.values():
            if not _settled(screen):  # the last one still building: wait for it
                self.set_timer(AHEAD_PAUSE, lambda: self._prepare_sections(session))
                return
        mode = waiting[0]
        screen = SCREENS[mode]()
        self._sections_ahead[mode] = (session, screen, css_generation(self))
        if self.compose_ahead(screen):
            screen.call_later(self.draw_ahead, screen)
        else:
            del self._sections_ahead[mode]
            return  # (Textual cannot: each section is composed when first opened)
        self.set_timer(AHEAD_PAUSE, lambda: self._prepare_sections(session))

    def sections_prepared(self) -> bool:
        """Every section opened already or composed ahead with its rows in (the app has
        nothing more to prepare for the person signed in)."""
        return all(
            mode in self._screen_stacks
            or (mode in self._sections_ahead and _settled(self._sections_ahead[mode][1]))
            for mode in SCREENS
        )

    def take_section_ahead(self, mode: str) -> Screen[Any] | None:
        """The section's screen composed ahead for the person signed in, if there is one
        (handed to Textual once: it is the mode's screen from then on)."""
        found = self._sections_ahead.pop(mode, None)
        if found is None:
            return None
        session, screen, generation = found
        if session is self.session and screen.is_attached and not self.signed_out:
            mark_styled(self, screen, generation)
            return screen
        if screen.is_attached:
            self.call_later(screen.remove)
        return None

    # --- actions ------------------------------------------------------------------------

    # The terminal's cursor is where the shown screen's focused input is. Textual keeps
    # one position for the whole app, set by whichever Input last got the focus or moved
    # its cursor, on any screen: a section composed ahead, off screen, set it to where
    # its own filter box would be, and the form being typed into lost its cursor.
    _cursor_at = Offset(0, 0)

    @property
    def cursor_position(self) -> Offset:
        try:
            focused = self.screen.focused
        except Exception:  # noqa: BLE001 - no screen yet
            focused = None
        if isinstance(focused, Input) and focused.is_mounted:
            return focused.cursor_screen_offset
        return self._cursor_at

    @cursor_position.setter
    def cursor_position(self, value: Offset) -> None:
        self._cursor_at = value

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (self.session is None or self.signed_out) and action in {
            "switch_section",
            "settings",
            "staff",
            "undo",
            "redo",
            "sign_out",
        }:
            return False
        if action in ("undo", "redo") and (not self.store_open or self.store.readonly):
            return False
        if action in HUB_ACTIONS:
            return self.hub_sync is not None and self.session is not None and not self.signed_out
        return True

    async def action_quit(self) -> None:
        """Quit; with a form holding something typed, only after asking (naming it)."""
        from grassroots_tui.tui.widgets.form import unsaved_forms

        forms = unsaved_forms(self)
        if not forms:
            self.exit()
            return
        if isinstance(self.screen, ConfirmDialog):
            return  # already asking something: answer that first
        title = t(forms[0].TITLE_KEY)

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmDialog(t("app.quit_ask", form=title), default=False), answered)

    def action_switch_section(self, mode: str) -> None:
        if self.session is not None:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from grassroots_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_settings(self) -> None:
        from grassroots_tui.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen())

    def action_staff(self) -> None:
        from grassroots_tui.tui.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(tab="staff"))

    def action_sign_out(self) -> None:
        # The screens under the sign-in screen keep the old session until the next
        # operator signs in (their key bindings are asked about meanwhile); the section
        # keys and commands are off until then.
        self.signed_out = True
        self.refresh_bindings()
        # The board and the forms kept for this session: the next one gets new ones.
        self.drop_kept_screens()
        # The sign-in screen goes over the current section; each list rebuilds its rows
        # for the next operator (see ListSectionScreen._reload_in_place).
        self.sign_in()

    def action_undo(self) -> None:
        self._take_back(redo=False)

    def action_redo(self) -> None:
        self._take_back(redo=True)

    def _take_back(self, *, redo: bool) -> None:
        """Undo (or redo) the operator's own last change of this sign-in: find it, ask,
        naming it, then do exactly that (services/undo.py checks the role both times)."""
        session = self.session
        if session is None:
            return
        from grassroots_tui.services import undo as undo_service

        role = session.operator.role
        args = (session.store, session.actor, role)

        def planned(pending: undo_service.PendingUndo) -> None:
            def answered(yes: bool | None) -> None:
                if yes:
                    self.in_thread(
                        lambda: undo_service.run(*args, pending, after_seq=session.signed_in_seq),
                        done=lambda _restored: done(pending),
                        name="undo",
                    )

            ask = "app.redo_ask" if redo else "app.undo_ask"
            self.push_screen(ConfirmDialog(t(ask, what=pending.text)), callback=answered)

        def done(pending: undo_service.PendingUndo) -> None:
            self.notify(t("app.redone" if redo else "app.undone", what=pending.text), markup=False)
            refresh = getattr(self.screen, "reload", None)
            if callable(refresh):
                refresh()

        self.in_thread(
            lambda: undo_service.plan(*args, after_seq=session.signed_in_seq, redo=redo),
            done=planned,
            name="undo",
        )

    async def open_household(self, household_id: str) -> None:
        # Awaited: on the first visit the households screen is only mounted afterwards.
        await self.switch_mode("households")
        from grassroots_tui.tui.screens.households import HouseholdsScreen

        screen = self.screen
        if isinstance(screen, HouseholdsScreen):
            screen.show_household(household_id)

    # --- settings -----------------------------------------------------------------------

    def watch_theme(self, theme: str) -> None:
        if self.settings.theme != theme:
            self.settings.theme = theme
            self._save_settings()

    def _save_settings(self) -> None:
        if not self.persist_settings:
            return
        try:
            save_settings(self.settings)
        except OSError as error:
            self.notify(
                t("settings.save_failed", reason=str(error)), severity="warning", markup=False
            )
