"""The user's own settings (theme, language, key map), kept apart from the station data.

A small JSON file in the platformdirs user config folder, or where the environment
variable GRASSROOTS_CONFIG points (tests use that). A damaged settings file never stops
the program: it falls back to the defaults and says so.

How rates are rounded is the office's rule, not a user's: it is ``rate_rounding`` in the
office's ``slip_rules.json`` beside the store (store.slip_rules_file). One left in a user's
settings file from before is not used: it is reported, and dropped when the settings are
next saved.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_config_path

from grassroots_tui.lang import tr
from grassroots_tui.store.paths import APP_NAME

# The rounding rules now belong to the office's settings file; still importable from here
# (services.statistics and services.stats_export import them from this module). They are
# imported when first asked for: the program reads the settings before its sign-in screen,
# and the rules' module imports every model (issue #19).
if TYPE_CHECKING:
    from grassroots_tui.store.slip_rules_file import DEFAULT_RATE_ROUNDING as DEFAULT_RATE_ROUNDING
    from grassroots_tui.store.slip_rules_file import RATE_ROUNDINGS as RATE_ROUNDINGS


def __getattr__(name: str) -> Any:
    if name in ("DEFAULT_RATE_ROUNDING", "RATE_ROUNDINGS"):
        from grassroots_tui.store import slip_rules_file

        return getattr(slip_rules_file, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Settings:
    theme: str = "textual-dark"
    lang: str = "zh"
    #: binding id → keys, e.g. {"visits.new": "ctrl+n"}; see the help screen for ids.
    keymap: dict[str, str] = field(default_factory=dict)
    #: The last signed-in staff id, preselected at sign-in.
    last_operator: str | None = None
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
        return Settings(
            problem=tr(
                "设置文件 {file} 无法读取（{error}），已使用默认设置。", file=path, error=error
            )
        )
    if not isinstance(raw, dict):
        return Settings(problem=tr("设置文件 {file} 格式不对，已使用默认设置。", file=path))
    settings = Settings()
    if isinstance(raw.get("theme"), str):
        settings.theme = raw["theme"]
    if raw.get("lang") in ("zh", "en"):
        settings.lang = raw["lang"]
    if isinstance(raw.get("keymap"), dict):
        settings.keymap = {str(k): str(v) for k, v in raw["keymap"].items()}
    if isinstance(raw.get("last_operator"), str):
        settings.last_operator = raw["last_operator"]
    if "rate_rounding" in raw:  # the office's rule now, in its own file
        from grassroots_tui.store.slip_rules_file import (
            DEFAULT_RATE_ROUNDING,
            RATE_ROUNDINGS,
            RULES_FILE,
        )

        rule = json.dumps(raw["rate_rounding"], ensure_ascii=False)
        settings.problem = tr(
            "设置文件 {file} 中的 {key}: {rule} 已不再使用：比率的舍入规则改由"
            "街道群工办在数据旁的 {rules} 中统一设置（如需沿用，请写到那里）；"
            "那里没有设置时按{rounding}（{name}）。",
            file=path,
            key='"rate_rounding"',
            rule=rule,
            rules=RULES_FILE,
            rounding=tr(RATE_ROUNDINGS[DEFAULT_RATE_ROUNDING]),
            name=DEFAULT_RATE_ROUNDING,
        )
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> None:
    from grassroots_tui.store.files import write_file_atomically

    path = path or settings_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {k: v for k, v in asdict(settings).items() if k != "problem"}
    write_file_atomically(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
