"""The street office's settings file, ``slip_rules.json`` beside the store: its slip
rules, and how its statistics round rates.

    {
      "_说明": "keys starting with _ are notes",
      "categories": {"治安维稳": "10个工作日", "燃气安全": "5个工作日", "环境卫生": "15日"},
      "default_rule": "15日",
      "return_days": 3,
      "warn_days": 3,
      "rate_rounding": "ROUND_HALF_UP"
    }

Categories listed here are offered besides the built-in ones, each with its deadline
rule. ``rate_rounding`` is a key of :data:`RATE_ROUNDINGS`. This module only reads the
file and checks its shape; whether a rule text is a valid rule is decided by
services.deadlines (services.slip_rules).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grassroots_tui.lang import chinese, tr
from grassroots_tui.models.errors import listing
from grassroots_tui.models.validators import check_slip_number_format
from grassroots_tui.store.errors import StoreError

RULES_FILE = "slip_rules.json"

#: How the statistics round a rate to two decimals: the :mod:`decimal` rounding names the
#: file accepts (``"rate_rounding": "ROUND_DOWN"``), each with what it does. The office's
#: rule, so that its figures match what it has already reported. The descriptions are
#: message ids: say them with ``tr(RATE_ROUNDINGS[name])``.
RATE_ROUNDINGS: dict[str, str] = {
    "ROUND_HALF_UP": chinese("四舍五入"),
    "ROUND_DOWN": chinese("截尾（舍去第三位起的小数）"),
    "ROUND_HALF_EVEN": chinese("四舍六入五成双"),
    "ROUND_UP": chinese("进一（第三位起有小数即进位）"),
    "ROUND_CEILING": chinese("向上取整"),
    "ROUND_FLOOR": chinese("向下取整"),
    "ROUND_HALF_DOWN": chinese("五舍六入"),
    "ROUND_05UP": chinese("末位为0或5时进一，否则截尾"),
}
DEFAULT_RATE_ROUNDING = "ROUND_HALF_UP"


class SlipRulesInvalid(StoreError, ValueError):
    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        super().__init__(tr("交办设置文件 {file} 有误：{problem}", file=path, problem=problem))


def default_slip_rules_path(store_main: str | Path) -> Path:
    return Path(store_main).with_name(RULES_FILE)


def read_slip_rules(path: Path) -> dict[str, Any]:
    """The file's settings as plain values; {} when there is no file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        raise SlipRulesInvalid(path, tr("无法读取（{reason}）", reason=error)) from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise SlipRulesInvalid(
            path, tr("不是有效的 JSON（第 {line} 行）", line=getattr(error, "lineno", "?"))
        ) from None
    if not isinstance(data, dict):
        raise SlipRulesInvalid(path, tr("最外层应是一个对象 {example}", example="{…}"))
    settings: dict[str, Any] = {}
    categories = data.get("categories", {})
    if not isinstance(categories, dict) or not all(
        isinstance(k, str) and k.strip() and isinstance(v, str) for k, v in categories.items()
    ):
        raise SlipRulesInvalid(
            path,
            tr(
                "“{key}” 应写成 {form}，如 {example}",
                key="categories",
                form="{" + tr('"类别": "办理时限"') + "}",
                example='{"治安维稳": "10个工作日"}',
            ),
        )
    settings["categories"] = {k.strip(): v.strip() for k, v in categories.items()}
    for key in ("default_rule",):
        if key in data:
            if not isinstance(data[key], str):
                raise SlipRulesInvalid(
                    path, tr("“{key}” 应是文字，如 {example}", key=key, example='"15日"')
                )
            settings[key] = data[key].strip()
    for key in ("return_days", "warn_days"):
        if key in data:
            value = data[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 60:
                raise SlipRulesInvalid(path, tr("“{key}” 应是 0 到 60 之间的整数", key=key))
            settings[key] = value
    if "office_number_format" in data:
        fmt = data["office_number_format"]
        try:
            settings["office_number_format"] = check_slip_number_format(fmt)
        except ValueError as error:
            raise SlipRulesInvalid(
                path, tr("“{key}”：{error}", key="office_number_format", error=error)
            ) from None
    if "rate_rounding" in data:
        rule = data["rate_rounding"]
        name = rule.strip().upper() if isinstance(rule, str) else None
        if name not in RATE_ROUNDINGS:
            choices = listing(
                [tr("{name}（{what}）", name=k, what=tr(v)) for k, v in RATE_ROUNDINGS.items()]
            )
            raise SlipRulesInvalid(
                path,
                tr(
                    "“{key}” 写的是 {value}，应是以下比率舍入规则之一：{choices}",
                    key="rate_rounding",
                    value=json.dumps(rule, ensure_ascii=False),
                    choices=choices,
                ),
            )
        settings["rate_rounding"] = name
    return settings
