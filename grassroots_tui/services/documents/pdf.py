"""PDF from a .docx or .xlsx through LibreOffice headless (``soffice``), where the machine
has it. Without it, :class:`PdfUnavailable` says how to get it (Chinese; the same key in
grassroots_tui/i18n in English).

Each conversion runs in a fresh LibreOffice profile in a temporary folder, so it never
meets a LibreOffice the user has open (which would take the job and return nothing),
and is stopped after :data:`TIMEOUT` seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from grassroots_tui.lang import chinese, tr

__all__ = ["PdfFailed", "PdfUnavailable", "find_soffice", "to_pdf"]

TIMEOUT = 180
#: Where LibreOffice installs soffice when it is not on PATH.
_KNOWN = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)

MESSAGES = {
    "documents.pdf_unavailable": chinese(
        "本机没有 LibreOffice（找不到 soffice），无法生成 PDF。"
        "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-writer；"
        "Windows：从 libreoffice.org 下载安装），或改用 --format docx 后用 Word、WPS 打印。"
    ),
    "documents.pdf_failed": chinese("LibreOffice 未能把 {name} 转成 PDF：{reason}"),
}


class PdfUnavailable(RuntimeError):
    """No LibreOffice on this machine; the message says how to install it."""

    key = "documents.pdf_unavailable"

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        super().__init__(tr(MESSAGES[self.key]))


class PdfFailed(RuntimeError):
    """LibreOffice ran but made no PDF."""

    key = "documents.pdf_failed"

    def __init__(self, name: str, reason: str) -> None:
        self.values = {"name": name, "reason": reason}
        super().__init__(tr(MESSAGES[self.key], **self.values))


def find_soffice(path: str | None = None) -> str | None:
    """LibreOffice's ``soffice`` on ``path`` (default PATH), or where it installs itself;
    None when there is none."""
    found = shutil.which("soffice", path=path) or shutil.which("libreoffice", path=path)
    if found:
        return found
    if path is not None:  # a PATH given on purpose (the tests): nothing else
        return None
    return next((k for k in _KNOWN if os.access(k, os.X_OK)), None)


def to_pdf(
    data: bytes,
    *,
    suffix: str = ".docx",
    name: str = "document",
    soffice: str | None = None,
    env: Mapping[str, str] | None = None,
) -> bytes:
    """``data`` (a .docx, or with ``suffix=".xlsx"`` a workbook) as PDF bytes."""
    program = soffice or find_soffice()
    if program is None:
        raise PdfUnavailable()
    with tempfile.TemporaryDirectory(prefix="grassroots-pdf-") as folder:
        work = Path(folder)
        source = work / f"in{suffix}"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [
            program,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=TIMEOUT,
                env=dict(os.environ if env is None else env),
                check=False,
            )
        except FileNotFoundError:
            raise PdfUnavailable() from None
        except subprocess.TimeoutExpired:
            raise PdfFailed(name, tr("超过 {seconds} 秒未完成", seconds=TIMEOUT)) from None
        result = work / "in.pdf"
        if not result.exists():
            reason = (done.stderr or done.stdout).decode("utf-8", "replace").strip()
            raise PdfFailed(name, reason[:300] or tr("退出码 {code}", code=done.returncode))
        return result.read_bytes()
