"""The fields every stored document shares (docs/design.md#documents).

A document is a pydantic model with a fixed ``kind``. The store fills in ``rev`` and the
``created_*``/``updated_*`` fields when it saves; callers never set them by hand.
Dates are kept as ``date``/``datetime`` in Python and written as ISO strings.

The store also keeps what a hub needs (docs/design.md#replicas-and-the-hub):
``writer`` (who may change the document: ``"office"`` or a station id), ``deleted`` (a
tombstone: the last revision of a deleted document, kept and never listed), ``rev_hash``
(the hash of this revision) and ``acked_hash`` (the revision the hub last acknowledged).
Callers never set them either: whatever a model carries there is replaced on save.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field


def new_id() -> str:
    return str(uuid4())


class Model(BaseModel):
    """Base of every model, stored or embedded: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Document(Model):
    """A stored document. Subclasses set ``KIND`` and ``kind: Literal[KIND]``."""

    KIND: ClassVar[str] = ""
    #: Chinese name of the kind, for messages (e.g. "住户").
    LABEL: ClassVar[str] = ""
    SCHEMA_VERSION: ClassVar[int] = 1

    id: str = Field(default_factory=new_id, title="编号", min_length=1, max_length=64)
    kind: str = Field(title="类型")
    station_id: str | None = Field(
        default=None, title="所属群工站", description="None for street-office level documents"
    )
    rev: int = Field(default=0, ge=0, title="版本")
    created_at: datetime | None = Field(default=None, title="创建时间")
    created_by: str | None = Field(default=None, title="创建人")
    updated_at: datetime | None = Field(default=None, title="修改时间")
    updated_by: str | None = Field(default=None, title="修改人")
    #: Stamped with the class's SCHEMA_VERSION by the store on every save.
    schema_version: int = Field(default=1, ge=1, title="结构版本")
    #: Who may change it: "office" or a station id. Stamped by the store when the document
    #: is created, never changed. None in stores written before: then it is the
    #: document's station_id, or "office" when it has none (see :func:`writer_of`).
    writer: str | None = Field(
        default=None,
        title="填写方",
        max_length=128,
        description='"office" (街道群工办) or the id of the station that writes it',
    )
    #: A tombstone: the document was deleted; kept for the hub, left out of every list.
    deleted: bool = Field(default=False, title="已删除")
    #: sha256 of this revision's canonical JSON, computed by the store on every save.
    rev_hash: str | None = Field(default=None, title="版本摘要", max_length=64)
    #: The rev_hash the hub last acknowledged (None: never); a local save leaves it.
    acked_hash: str | None = Field(default=None, title="已确认摘要", max_length=64)
    #: The rev_hashes sent to the hub since it last acknowledged one, in pushes whose
    #: answer may have been lost: the hub may hold any of them (newest last, at most 16).
    sent_hashes: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, title="已发送摘要", max_length=16
    )

    def to_json(self) -> dict[str, Any]:
        """The plain JSON-ready dict the store writes."""
        return self.model_dump(mode="json")


#: The writer of the street office's documents (a station's is its station id).
OFFICE = "office"

#: Kinds only the street office writes, whatever station they are about: a supervision
#: check (督导) of a station, a reminder (催办) on a station's slip.
OFFICE_KINDS = frozenset({"supervision_check", "slip_reminder"})


def writer_of(doc: dict[str, Any] | Document) -> str:
    """Who may change a document: its ``writer``, or for a document stored before writers
    were recorded, the office for :data:`OFFICE_KINDS`, else its station
    (``station_id``), or the office when it has none."""
    kind: str | None
    writer: str | None
    station_id: str | None
    if isinstance(doc, Document):
        kind, writer, station_id = doc.KIND, doc.writer, doc.station_id
    else:
        kind, writer, station_id = doc.get("kind"), doc.get("writer"), doc.get("station_id")
    return writer or (OFFICE if kind in OFFICE_KINDS else station_id) or OFFICE
