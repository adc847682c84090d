"""Opening the program from the command line."""

from __future__ import annotations

import argparse
import sys

from grassroots_tui.i18n import set_language
from grassroots_tui.store import Store, StoreDamaged
from grassroots_tui.store.settings import load_settings


def launch(args: argparse.Namespace) -> int:
    settings = load_settings()
    set_language(args.lang or settings.lang)
    try:
        store = Store.open(args.db)
    except StoreDamaged as damaged:
        print(damaged, file=sys.stderr)
        return 2
    from grassroots_tui.tui.app import GrassrootsApp

    app = GrassrootsApp(store, settings)
    try:
        app.run()
    finally:
        store.close()
    # 1 when an unexpected error closed the program (its traceback is in the error log
    # and the message naming it is printed: GrassrootsApp._handle_exception).
    return app.return_code or 0
