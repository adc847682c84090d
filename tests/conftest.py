"""Every test runs isolated: no real settings file, no inherited theme, Chinese first,
and in its own working folder, so a relative path in a command never writes into the
checkout."""

from __future__ import annotations

import pytest

from grassroots_tui.i18n import set_language
from tests.tui_fixtures import isolate_environment


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    isolate_environment(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    yield
    set_language("zh")  # a test that switched to English must not leak it
