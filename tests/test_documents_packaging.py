"""The default document templates are package data: a wheel install has them (issue #20)."""

from __future__ import annotations

import zipfile

import pytest

from grassroots_tui.services.documents import TEMPLATE_NAMES, template
from tests.test_packaging import wheel  # noqa: F401 - the fixture: the wheel built offline

pytestmark = pytest.mark.slow


def test_the_wheel_carries_every_default_template(request) -> None:
    built = request.getfixturevalue("wheel")
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
        for kind, name in TEMPLATE_NAMES.items():
            path = f"grassroots_tui/services/documents/templates/{name}"
            assert path in names, path
            assert archive.read(path) == template(kind).data
