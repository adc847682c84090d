"""The ledger limits in the program: the import dialog (住户 → i) refuses a hostile file
with the same Chinese message naming the limit, keeps running, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from textual.worker import WorkerFailed

from grassroots_tui.services import ledger_limits
from grassroots_tui.tui.dialogs.import_dialog import ImportDialog
from tests.tui_fixtures import build_store, copied_store, make_app, sign_in

SIZE = (80, 24)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("template")
    return build_store(folder / "grassroots.json")


@pytest.fixture
def store(template, tmp_path):
    with copied_store(template, tmp_path) as copy:
        yield copy


async def settle(pilot) -> None:
    """Let the preview worker end; its failure is what this test looks at."""
    try:
        await pilot.app.workers.wait_for_complete()
    except WorkerFailed:
        pass
    await pilot.pause()
    await pilot.pause()


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"a," * (11 * 1024 * 1024), "文件太大：22 MB，超过导入上限 20 MB"),
        (
            "户号,户主姓名,地址\n".encode()
            + b"".join(b"HL01-%06d,a,b\n" % n for n in range(60_000)),
            "行数超过上限 50,000 行",
        ),
    ],
    ids=["size", "rows"],
)
async def test_the_import_dialog_refuses_a_hostile_ledger_naming_the_limit(
    store, tmp_path: Path, content: bytes, expected: str
) -> None:
    ledger = tmp_path / "台账.csv"
    ledger.write_bytes(content)
    before = store.count("household")
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot)
        await pilot.press("f3", "i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        dialog.query_one("#import-path", Input).value = str(ledger)
        await pilot.press("enter")
        await settle(pilot)
        shown = notices(app)
        assert any(expected in message and "台账.csv" in message for message in shown), shown
        assert app.screen is dialog  # still open, for another file
        assert dialog.query_one("#import-confirm").disabled
    assert store.count("household") == before
    assert ledger_limits.MAX_ROWS == 50_000  # the real limits, not lowered
