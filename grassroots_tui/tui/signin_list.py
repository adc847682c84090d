"""Who the sign-in screen lists, before the store is open (issue #19).

The program shows its sign-in screen first and opens the store meanwhile, in a thread
(at 100,000 documents opening takes about a second: the parse of an 88 MB snapshot).
So that the screen can list the staff at once, the program keeps the list it last
showed in a small file beside the store, ``<store>.signin``: each active staff member's
id, name, role and station, and what type-to-find matches (pinyin). It is written by
the program holding the store for writing, after it opened it, whenever the list
changed; for an encrypted store it is sealed with the store's own key (unlocked at the
terminal before the program starts), so no name is readable without the passphrase.

The file is only a head start, never an authority: once the store is open the screen
lists the store's own staff (the cursor staying on the same person), and signing in
checks the person and the PIN against the store. A missing, damaged, stale or locked
file lists nobody until the store is open; nothing is ever refused because of it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from grassroots_tui.store import Store

#: The file's format name and version (its first key).
FORMAT = "grassroots-signin"
VERSION = 1
#: A sealed file starts with this, then the seal of the JSON.
SEALED = b"sealed\n"
#: What the seal is bound to, so that no other file of the store passes for this one.
AAD = b"grassroots-signin-1"


@dataclass(frozen=True)
class Person:
    """One staff member as the sign-in screen lists them."""

    id: str
    name: str
    #: The StaffRole value ("worker", "head", "supervisor", "leader").
    role: str
    station_id: str | None
    #: The station's name ("" for the street office).
    where: str
    #: What type-to-find matches the start of: the name, its pinyin initials, its
    #: full pinyin (lowercase).
    finds: tuple[str, ...]

    def matches(self, query: str) -> bool:
        query = query.lower()
        return any(text.startswith(query) for text in self.finds)


def kept_path(main: Path) -> Path:
    """The sign-in list kept beside the store whose main file is ``main``."""
    from grassroots_tui.store.paths import StorePaths

    return StorePaths.for_main(main).signin


def people_of(store: Store) -> list[Person]:
    """The store's active staff, in the sign-in screen's order: by station, then by the
    pinyin of the name (a phone book's order). Runs in a thread."""
    return _people(store.raw("station"), store.raw("staff"))


def _people(stations_raw: list[dict[str, Any]], staff_raw: list[dict[str, Any]]) -> list[Person]:
    from grassroots_tui.services.pinyin import full_pinyin, initials, sort_key

    stations = {s["id"]: s.get("name", "") for s in stations_raw}
    staff = [s for s in staff_raw if s.get("active", True) and not s.get("deleted")]
    staff.sort(key=lambda s: (s.get("station_id") or "", sort_key(s["name"])))
    return [
        Person(
            id=s["id"],
            name=s["name"],
            role=str(s.get("role", "")),
            station_id=s.get("station_id") or None,
            where=stations.get(s.get("station_id") or "", ""),
            finds=(
                s["name"].lower(),
                initials(s["name"], name=True),
                full_pinyin(s["name"], name=True),
            ),
        )
        for s in staff
    ]


#: The tables a quick read may pass over before it has the stations and the staff (small
#: ones); anything else first and it gives up. A store the program made starts with them:
#: its first save is the station and its head (the first start's set-up).
_SMALL_TABLES = ("station", "staff", "_meta")
#: How much of the snapshot a quick read looks at, at most.
_QUICK_BYTES = 4 << 20


def read_first_tables(main: Path) -> list[Person] | None:
    """The people as the snapshot at ``main`` lists them, read from its first tables
    without parsing the rest (the first start after a store is written, with no list
    kept yet: the journal's later changes are not in it, the store's own list follows).
    None when that cannot be done quickly: an encrypted store, other tables first, a
    damaged file. Runs in a thread; never raises."""
    import json

    try:
        with main.open("rb") as file:
            header = json.loads(file.readline()[9:])
            if header.get("format") != "grassroots-store" or "sealed" in header:
                return None
            text = file.read(min(int(header["length"]), _QUICK_BYTES)).decode("utf-8", "replace")
        decoder = json.JSONDecoder()
        tables: dict[str, Any] = {}
        index = 1 if text.startswith("{") else -1
        while index > 0 and not {"station", "staff"} <= tables.keys():
            name, index = decoder.raw_decode(text, index)
            if name not in _SMALL_TABLES or text[index] != ":":
                return None
            tables[name], index = decoder.raw_decode(text, index + 1)
            if text[index] not in ",}":
                return None
            index += 1
        if not {"station", "staff"} <= tables.keys():
            return None
        return _people(list(tables["station"].values()), list(tables["staff"].values()))
    except Exception:  # noqa: BLE001 - a head start only: the store's list follows
        return None


def read_kept(main: Path) -> list[Person]:
    """The list kept beside the store at ``main``; empty when there is none, or it
    cannot be read or opened (never raises: the store's own list follows)."""
    try:
        data = kept_path(main).read_bytes()
        sealed = data.startswith(SEALED)
        keys = main.with_name(main.name + ".keys")
        if sealed or keys.exists():
            sealer = _sealer_before_opening(main)
            if sealer is None or not sealed:
                return []  # an encrypted store's list is only ever read sealed
            data = sealer.unseal(data[len(SEALED) :], AAD)
        doc = orjson.loads(data)
        if doc.get("format") != FORMAT or doc.get("version") != VERSION:
            return []
        return [_person(item) for item in doc["people"]]
    except Exception:  # noqa: BLE001 - a head start only: the store's list follows
        return []


def _person(item: dict[str, Any]) -> Person:
    person = Person(
        id=str(item["id"]),
        name=str(item["name"]),
        role=str(item["role"]),
        station_id=str(item["station_id"]) if item.get("station_id") else None,
        where=str(item.get("where") or ""),
        finds=tuple(str(text) for text in item["finds"]),
    )
    return person


def _sealer_before_opening(main: Path) -> Any:
    """The unlocked key of the encrypted store at ``main`` (unlocked at the terminal
    before the program started), or None."""
    from grassroots_tui.store import keyring
    from grassroots_tui.store.keyslots import KeySlots
    from grassroots_tui.store.paths import StorePaths

    slots = KeySlots.read(StorePaths.for_main(main).keys)
    return keyring.sealer_for(slots.store_id) if slots is not None else None


def keep(store: Store, people: list[Person]) -> bool:
    """Keep ``people`` beside ``store`` for the next start, unless the file already says
    the same; True when it was written. Only the program that may write the store keeps
    it; an encrypted store's list is sealed with its key, or not kept. Runs in a thread."""
    from grassroots_tui.store import keyring
    from grassroots_tui.store.files import write_file_atomically

    if store.readonly:
        return False
    main = store.paths.main
    data = orjson.dumps(
        {"format": FORMAT, "version": VERSION, "people": [asdict(p) for p in people]}
    )
    if store.encrypted:
        sealer = keyring.sealer_for(store.position.store_id)
        if sealer is None:
            return False
        if read_kept(main) == people:
            return False
        data = SEALED + sealer.seal(data, AAD)
    else:
        try:
            if kept_path(main).read_bytes() == data:
                return False
        except OSError:
            pass
    write_file_atomically(kept_path(main), data)
    return True
