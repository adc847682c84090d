"""Where a store's files live: the main file and its companions beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

APP_NAME = "grassroots-tui"
DEFAULT_FILE = "grassroots.json"


def default_store_path() -> Path:
    """The store's main file in the user's data folder (platformdirs)."""
    return user_data_path(APP_NAME, appauthor=False) / DEFAULT_FILE


@dataclass(frozen=True)
class StorePaths:
    """The main file (snapshot) and the companions that sit beside it."""

    main: Path

    @classmethod
    def for_main(cls, main: str | Path) -> StorePaths:
        return cls(Path(main).expanduser().absolute())

    @property
    def folder(self) -> Path:
        return self.main.parent

    @property
    def journal(self) -> Path:
        return self.main.with_name(self.main.name + ".journal")

    @property
    def lastsave(self) -> Path:
        """The record of the newest confirmed save (see :mod:`grassroots_tui.store.files`)."""
        return self.main.with_name(self.main.name + ".lastsave")

    @property
    def lock(self) -> Path:
        return self.main.with_name(self.main.name + ".lock")

    @property
    def log(self) -> Path:
        return self.main.with_name(self.main.name + ".log")

    @property
    def signin(self) -> Path:
        """The sign-in screen's list of names kept from the last start (staff names only,
        sealed when the store is encrypted; see ``tui/signin_list.py``)."""
        return self.main.with_name(self.main.name + ".signin")

    @property
    def keys(self) -> Path:
        """The key slots of an encrypted store (see :mod:`grassroots_tui.store.keyslots`)."""
        return self.main.with_name(self.main.name + ".keys")

    @property
    def backups(self) -> Path:
        return self.main.with_name(self.main.name + ".backups")

    def temp(self, path: Path) -> Path:
        return path.with_name(path.name + ".tmp")
