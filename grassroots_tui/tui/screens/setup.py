"""First start: create the station and its first staff member, who becomes its head, and
encrypt the new store with the station passphrase (its recovery key is shown once)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal

from grassroots_tui.i18n import t
from grassroots_tui.models import Station
from grassroots_tui.models.errors import validate_model
from grassroots_tui.models.station import DEFAULT_SLIP_NUMBER_FORMAT
from grassroots_tui.services.staff import create_station_with_head
from grassroots_tui.store import Store
from grassroots_tui.store.encryption import add_slot, encrypt
from grassroots_tui.store.keyslots import (
    Passphrase,
    RecoveryKey,
    calibrate,
    new_recovery_key,
    passphrase_problem,
)
from grassroots_tui.tui.dialogs.staff_form import pin_problems
from grassroots_tui.tui.widgets.form import FormField, FormScreen


def slip_number_example(pattern: str, year: int) -> str:
    """The first number of ``year`` a slip-number pattern gives: 湘龙群交〔2026〕第0001号."""
    return pattern.format(year=year, seq=1)


def slip_number_format(example: str, year: int) -> str | None:
    """The pattern of an example number: the year in it becomes {year}, the last run of
    digits after it the sequence number, as wide as it is written (0001: four digits).
    None: no sequence number in it. Braces typed are kept as text."""
    text = example.strip().replace("{", "{{").replace("}", "}}")
    year_at = text.find(str(year))
    runs = [m for m in re.finditer(r"\d+", text) if year_at < 0 or m.start() >= year_at + 4]
    if not runs:
        return None
    seq = runs[-1]
    text = f"{text[: seq.start()]}{{seq:0{len(seq.group())}d}}{text[seq.end() :]}"
    if year_at >= 0:
        text = f"{text[:year_at]}{{year}}{text[year_at + 4 :]}"
    return text


#: What the setup made: the station, its head, and the recovery key to show once.
SetUp = tuple[Any, Any, RecoveryKey]


class SetupScreen(FormScreen[SetUp | None]):
    """The newcomer's walk-through; nothing has to be edited by hand."""

    TITLE_KEY = "setup.title"

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose_fields(self) -> ComposeResult:
        # At most two fields to a row, a field with a long example or value on a row of
        # its own: every label, example and value whole at 80x24, in English too (three
        # to a row cut "Xianglong Subdistrict" and the passphrase's hint). Nine lines; the
        # fields scroll when problems are shown under them. The order is the Tab order.
        yield FormField(
            "name", t("setup.station_name"), placeholder=t("setup.station_name_example")
        )
        with Horizontal(classes="row"):
            yield FormField("code", t("setup.code"), placeholder="HL01", max_length=10)
            yield FormField(
                "community", t("setup.community"), placeholder=t("setup.community_example")
            )
        yield FormField(
            "street_office",
            t("setup.street_office"),
            placeholder=t("setup.street_office_example"),
        )
        with Horizontal(classes="row"):
            yield FormField("working_start", t("setup.working_start"), "08:30")
            yield FormField("working_end", t("setup.working_end"), "17:30")
        # An example number to edit, not Python's format syntax (issue #19).
        yield FormField(
            "slip_number_format",
            t("setup.slip_number_example"),
            slip_number_example(DEFAULT_SLIP_NUMBER_FORMAT, self._year()),
        )
        yield FormField("head_name", t("setup.head_name"))
        with Horizontal(classes="row"):
            yield FormField("pin", t("setup.pin"), password=True, max_length=8)
            yield FormField("pin_again", t("setup.pin_again"), password=True, max_length=8)
        yield FormField(
            "passphrase",
            t("setup.passphrase"),
            password=True,
            placeholder=t("setup.passphrase_hint"),
        )
        yield FormField("passphrase_again", t("setup.passphrase_again"), password=True)

    def build(self, values: dict[str, str]) -> tuple[Station, str, str | None, Passphrase]:
        """Every field's problem at once, each under its field (the form's own findings
        first, then the model's)."""
        head = values["head_name"]
        if not head:
            self.field_problem("head_name", t("setup.head_required"))
        for name, message in pin_problems(values["pin"], values["pin_again"]).items():
            self.field_problem(name, message)
        passphrase = values["passphrase"]
        avoid = (values["name"], values["code"].upper())
        problem = passphrase_problem(passphrase, avoid=avoid)
        if problem:
            self.field_problem("passphrase", problem)
        elif passphrase != values["passphrase_again"]:
            self.field_problem("passphrase_again", t("setup.passphrase_mismatch"))
        station = validate_model(
            Station,
            {
                "name": values["name"],
                "code": values["code"].upper(),
                "community": values["community"],
                "street_office": values["street_office"],
                "working_start": values["working_start"],
                "working_end": values["working_end"],
                "slip_number_format": self._slip_number_format(values["slip_number_format"]),
            },
        )
        return station, head, values["pin"] or None, Passphrase(passphrase)

    def _year(self) -> int:
        clock = getattr(self.app, "clock", None)
        return (clock() if callable(clock) else dt.datetime.now()).year

    def _slip_number_format(self, example: str) -> str:
        pattern = slip_number_format(example, self._year())
        if pattern is None:
            self.field_problem("slip_number_format", t("setup.slip_number_no_seq"))
            return DEFAULT_SLIP_NUMBER_FORMAT  # (the form is not saved)
        return pattern

    def save(self, built: tuple[Station, str, str | None, Passphrase]) -> SetUp:
        """Encrypt the new, still empty store first (a retry after a failure later on
        finds it encrypted), then make the station and its head."""
        station, head, pin, passphrase = built
        if not self.store.encrypted:
            encrypt(self.store, passphrase, kdf=calibrate())
        recovery = new_recovery_key()
        add_slot(self.store, recovery)
        made, head_staff = create_station_with_head(
            self.store, station, head, pin, actor=f"{head}（首次设置）"
        )
        return made, head_staff, recovery
