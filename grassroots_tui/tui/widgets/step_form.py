"""One small form for every step of a record's life (a slip's reply, extension, return,
call-back, withdrawal; a hardship case's assistance, review, exit, relapse…). Each step
is a list of fields and the service call that performs it; the service refuses an
illegal step with a Chinese message, shown in the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult

from grassroots_tui.i18n import t
from grassroots_tui.tui.widgets.form import FormField, FormScreen


@dataclass(frozen=True)
class StepField:
    name: str
    label_key: str
    default: str = ""
    options: tuple[tuple[str, str], ...] | None = None
    #: "date" fields are typed as 2026-11-26 and checked here; "text" may be empty
    #: only when not required.
    kind: str = "text"
    required: bool = True


class StepForm(FormScreen[Any]):
    def __init__(
        self,
        title_key: str,
        fields: list[StepField],
        run: Callable[[dict[str, Any]], Any],
    ) -> None:
        self.TITLE_KEY = title_key
        super().__init__()
        self.step_fields = fields
        self.run = run

    def compose_fields(self) -> ComposeResult:
        yield from (
            FormField(
                f.name, t(f.label_key), f.default, options=list(f.options) if f.options else None
            )
            for f in self.step_fields
        )

    def start_field(self) -> str | None:
        # The dates are filled in (today): the first field left to type.
        return next((f.name for f in self.step_fields if not f.default), None)

    def build(self, values: dict[str, str]) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        for f in self.step_fields:
            value = values[f.name]
            parsed[f.name] = None
            if not value:
                if f.required:
                    self.field_problem(f.name, t("form.required"))
            elif f.kind != "date":
                parsed[f.name] = value
            else:
                try:
                    parsed[f.name] = dt.date.fromisoformat(value)
                except ValueError:
                    self.field_problem(f.name, t("form.bad_date", value=value))
        return parsed

    def save(self, built: dict[str, Any]) -> Any:
        return self.run(built)
