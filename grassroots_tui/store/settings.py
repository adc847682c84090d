"""The user's own settings (theme, language, key map, how rates are rounded), kept apart
from the station data.

A small JSON file in the platformdirs user config folder, or where the environment
variable GRASSROOTS_CONFIG points (tests use that). A damaged settings file never stops
the program: it falls back to the defaults and says so.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_config_path

from grassroots_tui.store.files import write_file_atomically
from grassroots_tui.store.paths import APP_NAME

#: How the statistics round a rate to two decimals: the :mod:`decimal` rounding names the
#: settings file accepts (``"rate_rounding": "ROUND_DOWN"``), each with what it does.
RATE_ROUNDINGS: dict[str, str] = {
    "ROUND_HALF_UP": "四舍五入",
    "ROUND_DOWN": "截尾（舍去第三位起的小数）",
    "ROUND_HALF_EVEN": "四舍六入五成双",
    "ROUND_UP": "进一（第三位起有小数即进位）",
    "ROUND_CEILING": "向上取整",
    "ROUND_FLOOR": "向下取整",
    "ROUND_HALF_DOWN": "五舍六入",
    "ROUND_05UP": "末位为0或5时进一，否则截尾",
}
DEFAULT_RATE_ROUNDING = "ROUND_HALF_UP"


@dataclass
class Settings:
    theme: str = "textual-dark"
    lang: str = "zh"
    #: binding id → keys, e.g. {"visits.new": "ctrl+n"}; see the help screen for ids.
    keymap: dict[str, str] = field(default_factory=dict)
    #: The last signed-in staff id, preselected at sign-in.
    last_operator: str | None = None
    #: How the statistics round rates (a key of :data:`RATE_ROUNDINGS`), so that the
    #: office's figures match what it has already reported.
    rate_rounding: str = DEFAULT_RATE_ROUNDING
    #: Set when the file could not be read; the defaults are in use.
    problem: str | None = None


def settings_path() -> Path:
    override = os.environ.get("GRASSROOTS_CONFIG")
    if override:
        return Path(override)
    return user_config_path(APP_NAME, appauthor=False) / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        return Settings(problem=f"设置文件 {path} 无法读取（{error}），已使用默认设置。")
    if not isinstance(raw, dict):
        return Settings(problem=f"设置文件 {path} 格式不对，已使用默认设置。")
    settings = Settings()
    if isinstance(raw.get("theme"), str):
        settings.theme = raw["theme"]
    if raw.get("lang") in ("zh", "en"):
        settings.lang = raw["lang"]
    if isinstance(raw.get("keymap"), dict):
        settings.keymap = {str(k): str(v) for k, v in raw["keymap"].items()}
    if isinstance(raw.get("last_operator"), str):
        settings.last_operator = raw["last_operator"]
    if "rate_rounding" in raw:
        rule = raw["rate_rounding"]
        if isinstance(rule, str) and rule.strip().upper() in RATE_ROUNDINGS:
            settings.rate_rounding = rule.strip().upper()
        else:
            settings.problem = (
                f"设置文件 {path} 中的 rate_rounding（{rule!r}）不认识，"
                f"可用：{'、'.join(RATE_ROUNDINGS)}；比率仍按 {DEFAULT_RATE_ROUNDING}"
                f"（{RATE_ROUNDINGS[DEFAULT_RATE_ROUNDING]}）保留两位小数。"
            )
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {k: v for k, v in asdict(settings).items() if k != "problem"}
    write_file_atomically(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
