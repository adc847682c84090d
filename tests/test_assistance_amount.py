"""A cash assistance (慰问金) needs an amount: 0 yuan is refused with a Chinese message
naming the field, by the service (adding, editing, a condolence round's money) and in the
case view's form. Other forms (goods, policy help) may be 0."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from grassroots_tui.models import AssistanceForm
from grassroots_tui.models.errors import DocumentInvalid
from grassroots_tui.services import condolence as C
from grassroots_tui.services import hardship as H
from grassroots_tui.store import Store
from grassroots_tui.tui.screens.hardship_case import CaseView
from grassroots_tui.tui.widgets.step_form import StepForm
from tests.factories import STATION_ID
from tests.test_hardship import help_given, open_store, opened
from tests.test_tui_hardship import SIZE, _to_hardship, template  # noqa: F401
from tests.tui_fixtures import copied_store, make_app, settle

D = dt.date


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "g.json")
    yield s
    s.close()


def _names_the_amount(error: DocumentInvalid) -> None:
    (problem,) = error.problems
    assert problem.field == "amount" and problem.label == "金额（元）"
    assert "慰问金必须填写金额" in problem.message
    assert str(error).startswith("「金额（元）」")


def test_cash_assistance_of_zero_yuan_is_refused_naming_the_field(store: Store) -> None:
    case = opened(store)
    with pytest.raises(DocumentInvalid) as refused:
        H.add_assistance(store, help_given(case.id, D(2026, 11, 3), "0"), "站长")
    _names_the_amount(refused.value)
    assert store.raw("assistance") == []
    goods = help_given(case.id, D(2026, 11, 3), "0", form=AssistanceForm.GOODS)
    H.add_assistance(store, goods, "站长")  # goods: the amount may be 0
    money = H.add_assistance(store, help_given(case.id, D(2026, 11, 4), "200"), "站长")
    with pytest.raises(DocumentInvalid) as refused:
        H.edit_assistance(store, money.model_copy(update={"amount": Decimal("0")}), "站长")
    _names_the_amount(refused.value)
    assert H.case_total(store, case.id) == Decimal("200.00")


def test_a_condolence_round_refuses_zero_yuan_of_money(store: Store) -> None:
    case = opened(store, opened=D(2026, 3, 1))
    found = C.start_round(
        store,
        title="春节慰问",
        started_on=D(2027, 1, 18),
        station_id=STATION_ID,
        tier=None,
        actor="站长",
    )
    with pytest.raises(DocumentInvalid) as refused:
        C.mark_done(
            store,
            found.id,
            case.id,
            given="慰问金",
            by="刘帮扶",
            on=D(2027, 1, 19),
            actor="刘",
            amount=Decimal("0"),
            source="民政",
        )
    _names_the_amount(refused.value)
    assert store.raw("assistance") == []
    assert not any(i.done for i in store.get("condolence_round", found.id).items)


@pytest.fixture
def tui_store(template, tmp_path):  # noqa: F811
    with copied_store(template, tmp_path) as store:
        yield store


async def test_the_form_says_the_amount_is_missing(tui_store) -> None:
    app = make_app(tui_store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _to_hardship(pilot)
        screen.table.move_to("case-hh-02")
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, CaseView)
        await pilot.press("a")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, StepForm)
        await pilot.press("ctrl+s")  # 慰问金 by default, amount left empty
        await settle(pilot)
        assert app.screen is form, "the form must stay open"
        assert "金额" in form.message_text and "慰问金必须填写金额" in form.message_text
        assert H.case_total(tui_store, "case-hh-02") == Decimal("300.00")
