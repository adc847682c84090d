"""Which replica a store is, and so which documents it may write
(docs/design.md#replicas-and-the-hub).

A store's ``scope``, recorded in its meta document when it is created:

* ``"standalone"``: one machine keeps everything and there is no hub; it may write every
  document (a store created without a choice, and every store written before scopes);
* ``"office"``: the street office's machine; it writes the documents whose writer is the
  office (``"office"``), and every document it creates is the office's;
* ``"station:<station_id>"``: a station's laptop; it writes that station's documents
  only, and creates documents for that station only.

Every document has one writer (``Document.writer``), stamped by the store when it is
created and never changed: a station replica stamps its station id, the office replica
``"office"``, a standalone store the document's station (or the office when it has none).
"""

from __future__ import annotations

from dataclasses import dataclass

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models.base import OFFICE
from grassroots_tui.store.errors import StoreError

STANDALONE = "standalone"
OFFICE_SCOPE = "office"
STATION_PREFIX = "station:"

#: How messages name a standalone store and the office's (message ids: say them with
#: ``tr()``).
STANDALONE_LABEL = chinese("单机")
OFFICE_LABEL = chinese("街道群工办")


@dataclass(frozen=True)
class Replica:
    """What a store is: its ``scope``, the ``writer`` it stamps on the documents it creates
    (None for a standalone store: each document's own station, or the office) and how
    messages name it (``label``: "湘龙群众工作站", "街道群工办", "单机")."""

    scope: str
    writer: str | None
    label: str

    @property
    def standalone(self) -> bool:
        return self.writer is None

    @property
    def station_id(self) -> str | None:
        """The station a station replica keeps (None for the office and standalone)."""
        return self.scope[len(STATION_PREFIX) :] if self.scope.startswith(STATION_PREFIX) else None


def scope_writer(scope: str) -> str | None:
    """The writer a scope stamps (None: standalone); refuses a scope that is none of the
    three forms."""
    if scope == STANDALONE:
        return None
    if scope == OFFICE_SCOPE:
        return OFFICE
    if scope.startswith(STATION_PREFIX):
        station_id = scope[len(STATION_PREFIX) :].strip()
        if station_id and station_id == scope[len(STATION_PREFIX) :] and station_id != OFFICE:
            return station_id
    raise StoreError(
        tr(
            "无法识别的本机身份“{scope}”：应为 standalone（单机）、office（街道群工办）"
            "或 station:<群工站编号>。",
            scope=scope,
        )
    )
