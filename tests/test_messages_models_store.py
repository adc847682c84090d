"""The models and the store speak the interface language: with ``--lang en`` a real
validation failure, a refused value, a damaged or locked store and a salvage report say
everything in English (nothing Chinese but the user's own data); in Chinese, the default,
they say what they always said.

The English comes from ``locale/en/models.json`` and ``locale/en/store.json`` through
:func:`grassroots_tui.lang.tr`; ``tests/test_messages.py`` checks the catalogs are
complete, this file that the real failures are said through them.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from grassroots_tui.lang import set_language
from grassroots_tui.models import KINDS
from grassroots_tui.models.errors import (
    BAD_DATE,
    REQUIRED,
    DocumentInvalid,
    InvalidValue,
    bad_date,
    required,
    validate_document,
    validate_model,
)
from grassroots_tui.models.validators import (
    check_id_number,
    check_period,
    check_slip_number_format,
    check_yuan,
    id_number_warnings,
    normalise_phone,
)
from grassroots_tui.models.visit import ProblemItem, VisitKind
from grassroots_tui.store import Store, StoreDamaged, StoreError
from grassroots_tui.store.calendar_overrides import CalendarOverridesInvalid, load_overrides
from grassroots_tui.store.errors import StoreLocked, disk_reason
from grassroots_tui.store.keyslots import passphrase_problem
from grassroots_tui.store.salvage import salvage_store
from grassroots_tui.store.slip_rules_file import SlipRulesInvalid, read_slip_rules
from tests.factories import household
from tests.test_models_documents import SAMPLES

#: Chinese characters and the full-width marks that only Chinese text uses.
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
#: What a message may quote of the input: in English between "…", in Chinese in 「…」.
QUOTED = re.compile(r'"[^"]*"|「[^」]*」')
#: Hostile values with no Chinese of their own (so any Chinese in a message is ours).
HOSTILE = (None, "", "   ", "bogus", "2026-13-01", "2026-02-30", "25:00", "9", -1, 10**12, [], {})


@pytest.fixture(autouse=True)
def _chinese_after():
    yield
    set_language("zh")


def _chinese_in(message: str, *data: str) -> list[str]:
    """The Chinese left in ``message`` once the user's own data is taken out."""
    for text in data:
        message = message.replace(text, "")
    return CJK.findall(QUOTED.sub("", message))


def _problems(data: Any, kind: str | None = None) -> list[str]:
    with pytest.raises(DocumentInvalid) as caught:
        validate_document(data, kind)
    return [p.text for p in caught.value.problems] + [str(caught.value)]


# -- the models --------------------------------------------------------------------------


def test_every_refusal_of_every_field_of_every_kind_is_english_in_english() -> None:
    set_language("en")
    leaked: dict[str, str] = {}
    seen = 0
    for kind, model in KINDS.items():
        for name in model.model_fields:
            if name == "kind":
                continue
            for value in (*HOSTILE, ...):
                data = copy.deepcopy(SAMPLES[kind])
                if value is ...:
                    data.pop(name, None)
                else:
                    data[name] = value
                try:
                    validate_document(data, kind)
                except DocumentInvalid as invalid:
                    for problem in invalid.problems:
                        seen += 1
                        if _chinese_in(problem.text) or _chinese_in(problem.label):
                            leaked[f"{kind}.{name}={value!r}"] = problem.text
    assert seen > 500  # the scan reaches most fields
    assert leaked == {}


@pytest.mark.parametrize(
    ("kind", "change", "english", "chinese"),
    [
        ("visit", {"date": "2026-13-01"}, "Visit date", "走访日期"),
        ("visit", {"start_time": "3pm"}, "is not a valid time (", "不是有效的时间（"),
        ("visit", {"visit_kind": "illness"}, "Door visit, Appointment visit", "走访、约访"),
        ("household", {"id_number": "110101199003071234"}, "check character", "校验码"),
        ("household", {"phone": "123"}, "Not a valid mobile", "不是有效的手机号码"),
        ("household", {"people": 0}, "Cannot be less than 1", "不能小于 1"),
        ("household", {"surname": "x"}, "Not a field of this kind", "不是此类文档的字段"),
        ("hardship_case", {"causes": ["illness", "illness"]}, '"Illness" appears', "「疾病」"),
        ("leave_request", {"decision": "approved", "approver": None}, '"Approved"', "“已批准”"),
        ("station", {"code": "h"}, "capital letters", "大写字母"),
    ],
)
def test_a_bad_value_is_refused_in_the_language_chosen(
    kind: str, change: dict[str, Any], english: str, chinese: str
) -> None:
    data = {**copy.deepcopy(SAMPLES[kind]), **change}
    said = _problems(data, kind)
    assert any(chinese in text for text in said), said
    assert not any(english in text for text in said)

    set_language("en")
    said = _problems(data, kind)
    assert any(english in text for text in said), said
    for text in said:
        assert _chinese_in(text) == [], text


def test_a_whole_document_refused_is_english_too() -> None:
    set_language("en")
    for data, kind, english in [
        ([1, 2], None, "Document: Must be an object (keys and values), not a list"),
        ({"kind": "shoe"}, None, "Type: Unknown document type shoe"),
        ({"name": "x"}, None, "Type: The document type is missing"),
        ({"kind": "staff"}, "household", "Must be Household (household), not Staff member"),
    ]:
        said = _problems(data, kind)
        assert english in said[0], said
        assert all(_chinese_in(text) == [] for text in said), said


def test_a_problems_label_is_its_titles_path_in_the_language_chosen() -> None:
    data = copy.deepcopy(SAMPLES["visit"])
    data["problems"] = [{"category": "x", "description": ""}]
    with pytest.raises(DocumentInvalid) as caught:
        validate_document(data, "visit")
    assert caught.value.problems[0].label == "问题[1].问题描述"
    assert caught.value.problems[0].message == REQUIRED

    set_language("en")
    with pytest.raises(DocumentInvalid) as caught:
        validate_document(data, "visit")
    problem = caught.value.problems[0]
    assert problem.field == "problems.0.description"  # the path is the same in any language
    assert problem.label == "Problem[1].Problem description"
    assert problem.text == "Problem[1].Problem description: Required; cannot be left blank"
    assert str(caught.value) == problem.text


def test_a_check_of_a_state_names_the_states_by_their_labels_in_the_language_chosen() -> None:
    item = {"category": "x", "description": "y", "state": "pending", "solved_on": "2026-01-01"}
    with pytest.raises(DocumentInvalid) as caught:
        validate_model(ProblemItem, item)
    said = caught.value.problems[0].text
    assert "“当场解决”或“后续解决”" in said and "当前状态：待办" in said

    set_language("en")
    with pytest.raises(DocumentInvalid) as caught:
        validate_model(ProblemItem, item)
    said = caught.value.problems[0].text
    assert '"Solved on the spot" or "Solved later"' in said
    assert "current status: Pending" in said
    assert "pending" not in said and _chinese_in(said) == []


def test_a_check_on_its_own_names_its_field_in_the_language_chosen() -> None:
    def refusal(check: Any, value: Any) -> str:
        with pytest.raises(InvalidValue) as caught:
            check(value)
        return str(caught.value)

    cases = [
        (check_id_number, "110101199003071234", "身份证号：校验码错误，应为 3"),
        (check_id_number, "11010119900307123", "身份证号：应为 18 位，实际 17 位"),
        (normalise_phone, "12", "联系电话：不是有效的手机号码或固定电话"),
        (check_yuan, "1.234", "金额：最多保留两位小数（精确到分）"),
        (
            check_period,
            "2026Q5",
            "考核期间：格式应为 年份（2026）、季度（2026Q3）或月份（2026-09）",
        ),
        (
            check_slip_number_format,
            "第{n}号",
            "只能使用 {year}（年份）和 {seq}（序号），不能使用 {n}",
        ),
    ]
    for check, value, chinese in cases:
        assert chinese in refusal(check, value)
    set_language("en")
    english = [refusal(check, value) for check, value, _ in cases]
    assert english[0] == "ID number: Wrong check character; it should be 3"
    assert english[1] == "ID number: Must have 18 characters, not 17"
    assert english[5].endswith(
        "Only {year} (the year) and {seq} (the sequence number) may be used, not {n}"
    )
    for text in english:
        assert _chinese_in(text, "第", "号") == [], text
    assert id_number_warnings("990101199003071234") == [
        "ID number: the first two digits, 99, are not a known province code; please check"
    ]


def test_the_shared_wordings_follow_the_language_and_their_ids_stay_chinese() -> None:
    assert required() == REQUIRED == "必填，不能为空"
    assert bad_date() == BAD_DATE
    set_language("en")
    assert required() == "Required; cannot be left blank"
    assert bad_date().startswith("is not a valid date")
    assert REQUIRED == "必填，不能为空"  # the id (the screens' Chinese catalog uses it)


def test_an_enums_english_label_is_offered_and_accepted_in_english() -> None:
    assert VisitKind("夜访") is VisitKind.NIGHT
    set_language("en")
    assert VisitKind("Night visit") is VisitKind.NIGHT
    assert VisitKind("night visit") is VisitKind.NIGHT
    assert VisitKind("夜访") is VisitKind.NIGHT  # the Chinese label always
    assert VisitKind.describe_choices() == "Door visit, Appointment visit, Joint visit, Night visit"


# -- the store ---------------------------------------------------------------------------


@pytest.fixture
def damaged_store(tmp_path: Path) -> Path:
    """A store whose main file lost its last 100 bytes (and a journal of five saves)."""
    db = tmp_path / "station.json"
    store = Store.open(db)
    for n in range(10):
        store.save(household(f"S-{n:03d}"), actor="t")
    store.compact()
    for n in range(5):
        store.save(household(f"J-{n:03d}"), actor="t")
    store._release()
    data = db.read_bytes()
    db.write_bytes(data[: len(data) - 100])
    return db


def test_a_damaged_store_is_refused_in_the_language_chosen(damaged_store: Path) -> None:
    with pytest.raises(StoreDamaged) as caught:
        Store.open(damaged_store)
    assert "数据文件已损坏" in str(caught.value) and "截断" in str(caught.value)

    set_language("en")
    with pytest.raises(StoreDamaged) as caught:
        Store.open(damaged_store)
    said = str(caught.value)
    assert said.startswith("The data file is damaged: station.json has been cut short")
    assert "the program will not write to it" in said
    assert _chinese_in(said) == [], said


def test_a_salvage_report_is_written_in_the_language_chosen(damaged_store: Path) -> None:
    set_language("en")
    report = salvage_store(damaged_store)
    text = report.text()
    assert text.startswith(f"Salvaging: {damaged_store}")
    assert "Read:" in text and "Recovered:" in text and "Next: First check the new data" in text
    assert _chinese_in(text) == [], text


def test_a_locked_store_and_a_full_disk_are_said_in_the_language_chosen() -> None:
    holder = {"pid": 4242, "since": "2026-12-07T09:30:00", "host": "pc-7"}
    assert "进程 4242（pc-7）自 2026-12-07 09:30:00 起占用写入权" in str(StoreLocked(holder))
    set_language("en")
    said = str(StoreLocked(holder))
    assert "process 4242 (pc-7) has held write access since 2026-12-07 09:30:00" in said
    assert _chinese_in(said) == []
    assert disk_reason(OSError(28, "No space left on device")) == "the disk is full"


def test_a_store_refusal_is_said_in_the_language_chosen(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "station.json")
    try:
        with pytest.raises(StoreError, match="没有可以撤销的修改"):
            store.undo_last(actor="t")
        set_language("en")
        with pytest.raises(StoreError) as caught:
            store.undo_last(actor="t")
        assert str(caught.value) == "There is no change to undo."
    finally:
        store.close()


def test_the_settings_files_of_the_office_are_refused_in_the_language_chosen(
    tmp_path: Path,
) -> None:
    holidays = tmp_path / "holidays.json"
    holidays.write_text(json.dumps({"2027": {"holidays": {"2027-13-01": "元旦"}}}), "utf-8")
    rules = tmp_path / "slip_rules.json"
    rules.write_text(json.dumps({"warn_days": 99, "rate_rounding": "x"}), "utf-8")
    with pytest.raises(CalendarOverridesInvalid, match="不是有效日期"):
        load_overrides(holidays)

    set_language("en")
    with pytest.raises(CalendarOverridesInvalid) as caught:
        load_overrides(holidays)
    said = str(caught.value)
    assert '"2027-13-01" in the days off of 2027 ("holidays") is not a valid date' in said
    assert _chinese_in(said) == [], said
    with pytest.raises(SlipRulesInvalid) as refused:
        read_slip_rules(rules)
    said = str(refused.value)
    assert '"warn_days" should be a whole number from 0 to 60' in said
    assert _chinese_in(said) == [], said


def test_a_weak_passphrase_is_said_in_the_language_chosen() -> None:
    assert passphrase_problem("") == "站点口令：不能为空"
    set_language("en")
    assert passphrase_problem("") == "Station passphrase: cannot be left blank"
    said = passphrase_problem("12345678901234")
    assert said is not None and said.startswith("Station passphrase: cannot be digits only")


def test_a_date_is_shown_as_given_in_any_language() -> None:
    """The user's value is echoed as typed, whatever the language: only our words change."""
    data = {**copy.deepcopy(SAMPLES["visit"]), "date": dt.date(2026, 1, 1).isoformat() + "x"}
    set_language("en")
    (said, *_rest) = _problems(data, "visit")
    assert '"2026-01-01x" is not a valid date' in said


def test_an_enum_given_where_another_is_wanted_is_shown_by_its_label() -> None:
    """Never its identifier: 「疾病」, not 「illness」, in Chinese; "Illness" in English."""
    from grassroots_tui.models.hardship import HardshipCause

    item = {"category": "x", "description": "y", "state": HardshipCause.ILLNESS}
    with pytest.raises(DocumentInvalid) as caught:
        validate_model(ProblemItem, item)
    assert caught.value.problems[0].message.startswith("「疾病」不是可选的值")
    set_language("en")
    with pytest.raises(DocumentInvalid) as caught:
        validate_model(ProblemItem, item)
    assert caught.value.problems[0].message.startswith('"Illness" is not one of the choices')
