"""Child process for the crash tests: exports, prints and notices forever, to be killed.

Usage: python -m tests.crash_export STORE_PATH OUT_FOLDER PREFIX MONTH

Each round it saves a household (printing its id once the save has returned: an
acknowledged save), then runs through the ``grassroots`` command in this process the
outputs that write files: ``export stats`` (.xlsx, .csv and .md into the store's
``exports`` folder), ``slips print --unmasked --html --out`` (signed in as the head
``crash-export`` through GRASSROOTS_USER and GRASSROOTS_PIN, added once; recorded in the
audit trail: it prints "AUDIT" once the command has returned), ``hardship round export --out``
and ``leave notice --html --out``. It prints "READY" once it has found what to print.
Each operation is framed by "BEGIN <operation>" and "END <operation>" lines (the save's
end is its id, the slip print's "AUDIT"), flushed, so the parent can tell whether a kill
landed mid-operation.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from grassroots_tui.cli import main as cli
from grassroots_tui.store import Store
from tests.crash_writer import begin, end
from tests.factories import household
from tests.sign_in_helpers import add_member

#: The head who prints unmasked: how the audit trail names them.
SIGNED_IN = "crash-export#staff-crash-export"


def _run(*argv: str, ended: str = "") -> None:
    """Run one command between BEGIN and END (or ``ended``, when given, as its end)."""
    operation = " ".join(argv[:2])
    begin(operation)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(argv))
    if code != 0:
        raise SystemExit(f"{argv}: {err.getvalue()}")
    if ended:
        print(ended, flush=True)
    else:
        end(operation)


def main() -> None:
    path, out, prefix, month = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
    with Store.open(path, readonly=True, daily_backup=False) as store:
        station_id = store.raw("station")[0]["id"]
        slip = sorted(s["number"] for s in store.raw("slip_issue") if s.get("number"))[0]
        found_round = sorted(r["id"] for r in store.raw("condolence_round"))[0]
        leave = sorted(
            r["id"]
            for r in store.raw("leave_request")
            if r.get("decision") == "approved" and r.get("substitute_id")
        )[0]
    db = ["--db", path]
    with Store.open(path, daily_backup=False) as store:
        if store.get_raw("staff", "staff-crash-export") is None:
            add_member(store, "crash-export", station_id=station_id, staff_id="staff-crash-export")
    os.environ.update(GRASSROOTS_USER="staff-crash-export", GRASSROOTS_PIN="2468")
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        begin("save")
        store = Store.open(path, daily_backup=False)
        try:
            doc = household(f"{prefix}-{n:05d}", station_id=station_id)
            store.save(doc, actor="crash-export")
        finally:
            store.close()
        print(doc.id, flush=True)  # the save's end, and its acknowledgement
        for fmt in ("xlsx", "csv", "md"):
            _run("export", "stats", "--month", month, "--format", fmt, *db)
        _run(
            "slips",
            "print",
            slip,
            "--unmasked",
            "--html",
            "--out",
            str(out / f"slip-{n:05d}.html"),
            *db,
            ended="AUDIT",  # acknowledged: the print is in the audit trail
        )
        _run(
            "hardship",
            "round",
            "export",
            found_round,
            "--out",
            str(out / f"round-{n:05d}.csv"),
            *db,
        )
        _run("leave", "notice", leave, "--html", "--out", str(out / f"leave-{n:05d}.html"), *db)


if __name__ == "__main__":
    main()
