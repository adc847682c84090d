"""Validation errors, said in the interface language (Chinese by default).

- :class:`InvalidValue` is what the models' own checks raise (a ``ValueError``).
- :func:`validate_document` validates a plain dict as the document kind it names and
  raises :class:`DocumentInvalid` (and nothing else) for any input. Each
  :class:`Problem` names the field by its title path ("问题[1].状态", in English
  "Problems[1].Status") and says what is wrong; pydantic's own messages are translated
  here. Every message is a :func:`grassroots_tui.lang.tr` id: Chinese, with its English
  in ``locale/en/models.json``.
- :func:`validate_model` does the same for any model class, e.g. an embedded one that a
  form edits on its own.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from grassroots_tui.lang import chinese, colon, language, tr

if TYPE_CHECKING:
    from grassroots_tui.models.base import Document

M = TypeVar("M", bound=BaseModel)

#: Label of a problem that concerns the whole document rather than one field (the
#: Chinese id; :func:`whole_document` says it in the current language).
WHOLE_DOCUMENT = chinese("文档")

# -- one wording each (issue #19): a form, a check and an import say these alike --------
# The constants are the Chinese message ids (the Chinese catalog of the screens uses
# them as they are); the functions say them in the current language when called, so
# nothing is frozen in the language of the moment the module was imported.

#: A field that must be filled in and was not (or holds only blanks).
REQUIRED = chinese("必填，不能为空")
#: A date or a time that cannot be read, after the value in 「」.
BAD_DATE = chinese("不是有效的日期（格式应为 2026-03-05）")
BAD_TIME = chinese("不是有效的时间（格式应为 09:30）")
BAD_DATETIME = chinese("不是有效的日期时间（格式应为 2026-03-05T09:30:00）")


def whole_document() -> str:
    """:data:`WHOLE_DOCUMENT` in the current language."""
    return tr(WHOLE_DOCUMENT)


def required() -> str:
    """:data:`REQUIRED` in the current language."""
    return tr(REQUIRED)


def bad_date() -> str:
    """:data:`BAD_DATE` in the current language."""
    return tr(BAD_DATE)


def bad_time() -> str:
    """:data:`BAD_TIME` in the current language."""
    return tr(BAD_TIME)


def bad_datetime() -> str:
    """:data:`BAD_DATETIME` in the current language."""
    return tr(BAD_DATETIME)


def listing(items: Sequence[str]) -> str:
    """Items named one after another: "走访、约访" in Chinese, "a, b" in English."""
    return ("、" if language() == "zh" else ", ").join(items)


def not_a_choice(value: Any, choices: str) -> str:
    """A value that is none of the allowed ones, which are named by their labels only
    (never the stored identifiers), in the current language."""
    return tr("「{value}」不是可选的值（可选：{choices}）", value=_show(value), choices=choices)


class InvalidValue(ValueError):
    """A value failed a check. ``reason`` (said in the current language when raised)
    does not name the field.

    ``label`` is the default field name used by ``str()`` when the check runs on its own
    (an importer); inside a model the field's title is used instead. ``field``
    lets a model-level check point at the field that is wrong ("end_time").
    """

    def __init__(self, reason: str, *, label: str | None = None, field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.label = label
        self.field = field

    def __str__(self) -> str:
        return f"{self.label}{colon()}{self.reason}" if self.label else self.reason


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document.

    ``field`` is the dotted path ("problems.0.state", "" for the whole document);
    ``label`` the titles' path with 1-based list positions ("问题[1].状态");
    ``message`` says what is wrong, without repeating the label. Both are in the
    language current when the problem was found.
    """

    field: str
    label: str
    message: str

    def __str__(self) -> str:
        return tr("「{label}」{message}", label=self.label, message=self.message)

    @property
    def text(self) -> str:
        """The problem as one sentence: "身份证号：校验码错误，应为 X"."""
        return f"{self.label}{colon()}{self.message}"


class DocumentInvalid(ValueError):
    """A document failed validation; ``problems`` lists every reason."""

    def __init__(self, problems: Sequence[Problem], kind: str | None = None):
        self.problems: list[Problem] = list(problems) or [
            Problem("", whole_document(), tr("校验未通过"))
        ]
        self.kind = kind
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @classmethod
    def from_validation_error(
        cls, exc: ValidationError, model: type[BaseModel], kind: str | None = None
    ) -> DocumentInvalid:
        return cls(translate(exc, model), kind=kind)


# -- showing values -------------------------------------------------------------------


def _show(value: Any, limit: int = 30) -> str:
    """A short, safe rendering of an input value for a message."""
    try:
        if isinstance(value, Enum):
            # its label, never its identifier ("疾病", not "illness", in a Chinese message)
            label = getattr(value, "label", None)
            text = tr(label) if isinstance(label, str) else str(value.value)
        elif isinstance(value, str):
            text = value
        elif isinstance(value, bool):
            text = tr("是") if value else tr("否")
        elif isinstance(value, int | float | Decimal | date | time | datetime):
            text = str(value)
        elif value is None:
            text = tr("空值")
        elif isinstance(value, Mapping):
            text = tr("对象")
        elif isinstance(value, list | tuple | set):
            text = tr("列表")
        else:
            text = type(value).__name__
    except Exception:  # noqa: BLE001 - a message must never fail
        text = "?"
    if len(text) > limit:
        text = text[:limit] + "…"
    return text


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


# -- walking a model along an error location ------------------------------------------


def _strip(annotation: Any) -> Any:
    """Remove Annotated and Optional wrappers; of a union keep its first non-None arm."""
    for _ in range(20):
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is typing.Union or origin is types.UnionType:
            arms = [a for a in typing.get_args(annotation) if a is not type(None)]
            if not arms:
                return None
            annotation = arms[0]
        else:
            return annotation
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _is_enum(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Enum)


def _container(annotation: Any) -> str | None:
    origin = typing.get_origin(annotation) or annotation
    if origin in (list, tuple, set, frozenset) or origin is Sequence:
        return "list"
    if origin in (dict, Mapping):
        return "dict"
    return None


def _item_type(annotation: Any) -> Any:
    args = typing.get_args(annotation)
    if _container(annotation) == "dict":
        return args[1] if len(args) == 2 else None
    return args[0] if args else None


def _clip(name: str, limit: int = 40) -> str:
    return name if len(name) <= limit else name[:limit] + "…"


def resolve(model: type[BaseModel], loc: Sequence[Any]) -> tuple[str, str, Any]:
    """Follow ``loc`` through ``model``: (dotted field path, label of titles in the
    current language, leaf type)."""
    fields: list[str] = []
    labels: list[str] = []
    current: Any = model
    for item in loc:
        current = _strip(current)
        kind = _container(current)
        if isinstance(item, int) and not isinstance(item, bool):
            fields.append(str(item))
            if _is_model(current):
                # A key that is not text, at the level of a model's fields.
                labels.append(str(item))
                current = None
                continue
            if kind == "dict":
                labels.append(f"[{item}]")
            else:
                labels.append(f"[{item + 1}]")
            current = _item_type(current) if kind else None
        elif isinstance(item, str) and _is_model(current):
            info = current.model_fields.get(item)
            fields.append(item)
            if info is None:
                labels.append(_clip(item))
                current = None
            else:
                labels.append(tr(info.title) if info.title else item)
                current = info.annotation
        elif isinstance(item, str) and kind == "dict":
            fields.append(item)
            labels.append(f"[{_clip(item)}]")
            current = _item_type(current)
        elif isinstance(item, str) and current is None:
            # Below an unknown field: keep the raw key.
            fields.append(item)
            labels.append(_clip(item))
        else:
            # A union arm or validator tag inside pydantic's location: not a field.
            continue
    label = ""
    for part in labels:
        if part.startswith("[") or not label:
            label += part
        else:
            label += "." + part
    return ".".join(_clip(f) for f in fields), label, _strip(current)


# -- translating pydantic's messages ----------------------------------------------------

# The tables below hold message ids, marked with chinese() (gettext's N_: kept as they
# are) and said in the current language with tr() where a message is made.

#: What pydantic says is wrong with a date or time, when it is more than its format: the
#: format itself is said by BAD_DATE or BAD_TIME (a time too short is not "YYYY-MM-DD").
_DATE_DETAILS = {
    "day value is outside expected range": chinese("这一天不存在"),
    "month value is outside expected range": chinese("月份应在 1–12 之间"),
    "year 0 is out of range": chinese("年份不合理"),
    "hour value is outside expected range of 0-23": chinese("小时应在 0–23 之间"),
    "minute value is outside expected range of 0-59": chinese("分钟应在 0–59 之间"),
    "second value is outside expected range of 0-59": chinese("秒应在 0–59 之间"),
}

_SIMPLE: dict[str, str] = {
    "missing": REQUIRED,
    "extra_forbidden": chinese("不是此类文档的字段（不允许多余的字段）"),
    "string_type": chinese("应为文本"),
    "string_sub_type": chinese("应为文本"),
    "string_unicode": chinese("包含无法识别的字符"),
    "string_pattern_mismatch": chinese("格式不正确"),
    "int_type": chinese("应为整数"),
    "int_parsing": chinese("应为整数"),
    "int_from_float": chinese("应为整数，不能带小数"),
    "int_parsing_size": chinese("数字太大"),
    "float_type": chinese("应为数字"),
    "float_parsing": chinese("应为数字"),
    "finite_number": chinese("应为有限的数字"),
    "bool_type": chinese("应为 是 或 否（true/false）"),
    "bool_parsing": chinese("应为 是 或 否（true/false）"),
    "date_from_datetime_inexact": chinese("应为日期，不能带具体时间"),
    "date_past": chinese("应为过去的日期"),
    "date_future": chinese("应为将来的日期"),
    "time_delta_type": chinese("应为时长"),
    "time_delta_parsing": chinese("应为时长"),
    "timezone_naive": chinese("不能带时区"),
    "timezone_aware": chinese("必须带时区"),
    "list_type": chinese("应为列表"),
    "tuple_type": chinese("应为列表"),
    "set_type": chinese("应为列表"),
    "frozen_set_type": chinese("应为列表"),
    "iterable_type": chinese("应为列表"),
    "dict_type": chinese("应为对象（键值对）"),
    "mapping_type": chinese("应为对象（键值对）"),
    "model_type": chinese("应为对象（键值对）"),
    "model_attributes_type": chinese("应为对象（键值对）"),
    "dataclass_type": chinese("应为对象（键值对）"),
    "decimal_type": chinese("应为数字"),
    "decimal_parsing": chinese("应为数字"),
    "decimal_max_digits": chinese("数字位数太多"),
    "decimal_max_places": chinese("小数位数太多"),
    "decimal_whole_digits": chinese("整数位数太多"),
    "none_required": chinese("应为空"),
    "recursion_loop": chinese("数据嵌套过深或循环引用"),
    "json_invalid": chinese("不是有效的 JSON"),
    "json_type": chinese("不是有效的 JSON"),
    "uuid_type": chinese("不是有效的编号"),
    "uuid_parsing": chinese("不是有效的编号"),
    "frozen_field": chinese("不能修改"),
    "frozen_instance": chinese("不能修改"),
    "union_tag_invalid": chinese("类型不正确"),
    "union_tag_not_found": chinese("缺少类型标记"),
    "bytes_type": chinese("应为文本"),
    "invalid_key": chinese("字段名必须是文本"),
}


def _detail(ctx: Mapping[str, Any]) -> str:
    raw = str(ctx.get("error", "")) if ctx else ""
    # (pydantic-core words some of them with the range after: "… range of 1-12")
    return next((tr(said) for key, said in _DATE_DETAILS.items() if raw.startswith(key)), "")


#: pydantic's error types of a date or a time that cannot be read, and what we say.
_MOMENTS = {
    "date_type": BAD_DATE,
    "date_parsing": BAD_DATE,
    "date_from_datetime_parsing": BAD_DATE,
    "time_type": BAD_TIME,
    "time_parsing": BAD_TIME,
}


def _bad_moment(value: Any, wrong: str, detail: str) -> str:
    """「2026-13-01」不是有效的日期：月份应在 1–12 之间 — or, with nothing more to say
    than its format, 「3点」不是有效的时间（格式应为 09:30）. ``wrong`` is one of
    :data:`BAD_DATE`, :data:`BAD_TIME`, :data:`BAD_DATETIME`."""
    shown = _show(value)
    if not detail:
        return tr("「{value}」{wrong}", value=shown, wrong=tr(wrong))
    if wrong == BAD_TIME:
        return tr("「{value}」不是有效的时间：{detail}", value=shown, detail=detail)
    if wrong == BAD_DATETIME:
        return tr("「{value}」不是有效的日期时间：{detail}", value=shown, detail=detail)
    return tr("「{value}」不是有效的日期：{detail}", value=shown, detail=detail)


def _message(error: Mapping[str, Any], leaf: Any) -> str:
    etype = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")

    if etype in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(cause, InvalidValue):
            return cause.reason
        text = str(cause) if cause is not None else str(error.get("msg", ""))
        return text if _has_cjk(text) else tr("数值不合法：{text}", text=_show(text, 80))
    if etype == "enum" or (etype == "literal_error" and _is_enum(leaf)):
        if _is_enum(leaf) and hasattr(leaf, "describe_choices"):
            choices = leaf.describe_choices()
        else:
            choices = str(ctx.get("expected", ""))
        return not_a_choice(value, choices)
    if etype == "literal_error":
        return tr(
            "应为 {expected}，而不是「{value}」",
            expected=ctx.get("expected", ""),
            value=_show(value),
        )
    if etype == "string_too_short":
        n = ctx.get("min_length", 1)
        return required() if n == 1 else tr("至少要有 {n} 个字", n=n)
    if etype == "string_too_long":
        return tr("太长了，不能超过 {n} 个字", n=ctx.get("max_length"))
    if etype == "too_short":
        return tr("至少需要 {n} 项", n=ctx.get("min_length"))
    if etype == "too_long":
        return tr("最多 {n} 项", n=ctx.get("max_length"))
    if etype == "greater_than_equal":
        return tr("不能小于 {limit}", limit=ctx.get("ge"))
    if etype == "greater_than":
        return tr("必须大于 {limit}", limit=ctx.get("gt"))
    if etype == "less_than_equal":
        return tr("不能大于 {limit}", limit=ctx.get("le"))
    if etype == "less_than":
        return tr("必须小于 {limit}", limit=ctx.get("lt"))
    if etype == "multiple_of":
        return tr("应为 {n} 的倍数", n=ctx.get("multiple_of"))
    if etype in _MOMENTS or etype.startswith("datetime_"):
        return _bad_moment(value, _MOMENTS.get(etype, BAD_DATETIME), _detail(ctx))
    if etype in _SIMPLE:
        return tr(_SIMPLE[etype])
    if not etype:
        return tr("数值不合法（未知错误）")
    return tr("数值不合法（{error}）", error=etype)


def translate(exc: ValidationError, model: type[BaseModel]) -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem` in the current language, labelled
    through ``model``."""
    problems: list[Problem] = []
    own = getattr(model, "LABEL", "")
    whole = tr(own) if own else whole_document()
    for error in exc.errors(include_url=False):
        try:
            loc = tuple(error.get("loc") or ())
            ctx = error.get("ctx") or {}
            cause = ctx.get("error")
            if isinstance(cause, InvalidValue) and cause.field:
                loc = loc + tuple(int(p) if p.isdigit() else p for p in cause.field.split("."))
            field, label, leaf = resolve(model, loc)
            message = _message(error, leaf)
        except Exception:  # noqa: BLE001 - translating must never fail
            field, label, message = "", whole, tr("数值不合法")
        problems.append(Problem(field=field, label=label or whole, message=message))
    return problems


# -- entry points ---------------------------------------------------------------------


def validate_model(model: type[M], data: Any, kind: str | None = None) -> M:
    """``model.model_validate(data)``, raising :class:`DocumentInvalid` on any failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DocumentInvalid.from_validation_error(exc, model, kind) from None
    except DocumentInvalid:
        raise
    except RecursionError:
        raise DocumentInvalid(
            [Problem("", whole_document(), tr("数据嵌套过深，无法校验"))], kind
        ) from None
    except Exception as exc:  # noqa: BLE001 - callers rely on one exception type
        raise DocumentInvalid(
            [Problem("", whole_document(), tr("无法校验（{error}）", error=type(exc).__name__))],
            kind,
        ) from exc


def validate_document(data: Any, kind: str | None = None) -> Document:
    """Validate ``data`` as the document kind named by ``data["kind"]`` (or ``kind``).

    Returns the model instance; raises :class:`DocumentInvalid` for anything wrong,
    whatever ``data`` is. When both ``kind`` and ``data["kind"]`` are given they must
    agree.
    """
    try:
        return _validate_document(data, kind)
    except DocumentInvalid:
        raise
    except Exception as exc:  # noqa: BLE001 - callers rely on one exception type
        raise DocumentInvalid(
            [Problem("", whole_document(), tr("无法校验（{error}）", error=type(exc).__name__))],
            kind,
        ) from exc


def _unknown_kind(value: Any) -> DocumentInvalid:
    return DocumentInvalid(
        [Problem("kind", tr("类型"), tr("未知的文档类型 {kind}", kind=_show(value)))]
    )


def _validate_document(data: Any, kind: str | None) -> Document:
    from grassroots_tui.models.registry import KINDS

    if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
        raise _unknown_kind(kind)
    if not isinstance(data, Mapping):
        raise DocumentInvalid(
            [
                Problem(
                    "",
                    whole_document(),
                    tr("应为对象（键值对），而不是{value}", value=_show(data)),
                )
            ],
            kind,
        )
    raw_kind = data.get("kind")
    if raw_kind is None:
        if kind is None:
            raise DocumentInvalid([Problem("kind", tr("类型"), tr("缺少文档类型"))])
        name = kind
    elif not isinstance(raw_kind, str) or raw_kind not in KINDS:
        raise _unknown_kind(raw_kind)
    elif kind is not None and raw_kind != kind:
        raise DocumentInvalid(
            [
                Problem(
                    "kind",
                    tr("类型"),
                    tr(
                        "应为{expected}（{kind}），而不是{actual}（{actual_kind}）",
                        expected=tr(KINDS[kind].LABEL),
                        kind=kind,
                        actual=tr(KINDS[raw_kind].LABEL),
                        actual_kind=raw_kind,
                    ),
                )
            ],
            kind,
        )
    else:
        name = raw_kind
    payload = dict(data)
    if payload.get("kind") is None:
        payload.pop("kind", None)
    return validate_model(KINDS[name], payload, name)
