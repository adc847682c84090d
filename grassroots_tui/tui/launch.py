"""Opening the program from the command line.

The sign-in screen comes first and the store is opened meanwhile, in a thread (issue
#19): nothing here imports the store or the models. An encrypted store was unlocked at
the terminal before this runs (:func:`grassroots_tui.cli.unlock.unlock_before_opening`),
so its key is in the process when the thread opens it.
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grassroots_tui.i18n import set_language
from grassroots_tui.store.settings import Settings, load_settings

if TYPE_CHECKING:
    from grassroots_tui.store import Store
    from grassroots_tui.tui.app import GrassrootsApp


def open_for_app(db: str | Path | None) -> Store:
    """The store at ``db`` (the default one without it), as the program opens it."""
    from grassroots_tui.store import Store

    return Store.open(db) if db is not None else Store.open()


def make_app(db: str | Path | None, settings: Settings, **options: Any) -> GrassrootsApp:
    """The program on the store at ``db``, not opened yet: its sign-in screen lists the
    people kept from the last start while the store opens in a thread."""
    from grassroots_tui.store.paths import StorePaths, default_store_path
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.signin_list import read_first_tables, read_kept

    paths = StorePaths.for_main(db or default_store_path())
    opener = options.pop("opener", None) or partial(open_for_app, db)
    # The list kept at the last start; on a first start, the snapshot's first tables
    # (a few milliseconds: the stations and the staff, not the rest).
    people = read_kept(paths.main) or read_first_tables(paths.main) or []
    return GrassrootsApp(
        None,
        settings,
        opener=opener,
        people=people,
        folder=paths.folder,
        **options,
    )


def launch(args: argparse.Namespace) -> int:
    settings = load_settings()
    set_language(args.lang or settings.lang)
    app = make_app(args.db, settings)
    try:
        app.run()
    finally:
        if app.store_open:
            app.store.close()
    if app.open_failed is not None:
        # Said on the sign-in screen too; here once more, for the terminal's scrollback.
        print(app.open_failed, file=sys.stderr)
        return 2
    # 1 when an unexpected error closed the program (its traceback is in the error log
    # and the message naming it is printed: GrassrootsApp._handle_exception).
    return app.return_code or 0
