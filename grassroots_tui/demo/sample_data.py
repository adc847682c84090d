"""The sample data files (``sample_data/*.json``) that the demo store is made from.

In an installed wheel the folder is ``grassroots_tui/sample_data`` (pyproject's
force-include); in the editable checkout it is ``sample_data/`` beside the package.
The files are plain, human-readable JSON (UTF-8) and can be edited to change the demo.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent


def sample_data_dir() -> Path:
    """The folder holding the sample data files; FileNotFoundError (Chinese) if missing."""
    for candidate in (_PACKAGE / "sample_data", _PACKAGE.parent / "sample_data"):
        if (candidate / "names.json").is_file():
            return candidate
    raise FileNotFoundError(
        f"找不到演示数据素材文件夹 sample_data（在 {_PACKAGE} 内或旁边），安装可能不完整。"
    )


@cache
def load(name: str) -> Any:
    """The parsed contents of ``sample_data/<name>.json``. Shared: do not mutate it."""
    path = sample_data_dir() / f"{name}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"找不到演示数据素材文件：{path}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"演示数据素材文件 {path} 不是有效的 JSON：{error}") from None
