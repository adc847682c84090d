"""The fields every stored document shares (docs/design.md#documents).

A document is a pydantic model with a fixed ``kind``. The store fills in ``rev`` and the
``created_*``/``updated_*`` fields when it saves; callers never set them by hand.
Dates are kept as ``date``/``datetime`` in Python and written as ISO strings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
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

    def to_json(self) -> dict[str, Any]:
        """The plain JSON-ready dict the store writes."""
        return self.model_dump(mode="json")
