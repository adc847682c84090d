"""``make render``: every paper output, through LibreOffice headless, as PNG pages to look at.

    python -m bench.render [--out FOLDER] [--today 2026-12-07] [--images docs/images]

Writes a demo store for ``--today``, makes from it the statistics workbook (.xlsx), the
month's report, a slip with its reply slips, a reminder notice, a leave notice and a
送温暖 round's list (.docx), converts each to PDF with ``soffice`` (the program's own
:func:`~grassroots_tui.services.documents.pdf.to_pdf`) and each PDF page to PNG with
``pdftoppm`` (poppler-utils), and prints where they are (a temporary folder unless
``--out``). ``--images`` also writes the first page of each document, small, for the
README (kept under 150 KB each).

Not part of ``make test``: it needs LibreOffice, poppler and CJK fonts
(``apt-get install libreoffice-calc libreoffice-writer fonts-noto-cjk poppler-utils``)
and is for a person's eyes. The faces an office has (仿宋_GB2312, 方正小标宋简体, 宋体)
are not free fonts; for the pictures, a fontconfig file maps them to Noto Serif CJK SC
(and 等线 to Noto Sans CJK SC), so that LibreOffice does not fall back to a sans face
or a Japanese one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
{aliases}
</fontconfig>
"""
SERIF = ("仿宋_GB2312", "仿宋", "FangSong", "方正小标宋简体", "宋体", "SimSun", "华文中宋")
SANS = ("等线", "DengXian", "黑体", "SimHei")
MAX_IMAGE = 150 * 1024


def _alias(family: str, target: str) -> str:
    return (
        f'  <match target="pattern"><test name="family"><string>{family}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{target}</string></edit>'
        "</match>"
    )


def font_env(folder: Path) -> dict[str, str]:
    aliases = [_alias(f, "Noto Serif CJK SC") for f in SERIF]
    aliases += [_alias(f, "Noto Sans CJK SC") for f in SANS]
    conf = folder / "fonts.conf"
    conf.write_text(FONTS_CONF.format(aliases="\n".join(aliases)), encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def outputs(db: Path, today: dt.date) -> dict[str, tuple[bytes, str]]:
    """Name → (bytes, suffix) of every paper output, from the demo store at ``db``."""
    from grassroots_tui.services import documents
    from grassroots_tui.services.slips.clock import views
    from grassroots_tui.services.statistics import month_stats, trend
    from grassroots_tui.services.stats_export import export_stats
    from grassroots_tui.services.workcalendar import OfficialCalendar
    from grassroots_tui.store import Store

    store = Store.open(db, readonly=True, daily_backup=False)
    calendar = OfficialCalendar()
    made: dict[str, tuple[bytes, str]] = {}
    try:
        stats = month_stats(store, year=today.year, month=today.month, today=today)
        rows = trend(store, year=today.year, month=today.month, today=today)
        made["统计工作簿"] = (export_stats(store, stats, fmt="xlsx", trend_rows=rows), ".xlsx")
        made["月度统计报告"] = (documents.stats_document(store, stats, on=today), ".docx")
        slips = [v for v in views(store, calendar).values() if v.number]
        replied = {r["slip_id"] for r in store.raw("reply")}
        slip = next(v for v in slips if v.id in replied)
        made["交办单与回复单"] = (
            documents.slip_document(store, slip.id, calendar=calendar),
            ".docx",
        )
        for view in sorted(slips, key=lambda v: v.issue_date or today):
            try:
                data = documents.reminder_document(store, view.id, today=today, calendar=calendar)
            except ValueError:
                continue
            made["催办通知书"] = (data, ".docx")
            break
        leave = next(
            r["id"]
            for r in store.raw("leave_request")
            if r.get("decision") == "approved" and r.get("substitute_id")
        )
        made["请假代班公示"] = (documents.leave_document(store, leave, on=today), ".docx")
        found = next(iter(store.raw("condolence_round")))["id"]
        made["送温暖名单"] = (documents.round_document(store, found, on=today), ".docx")
    finally:
        store.close()
    return made


def main(argv: list[str] | None = None) -> int:
    from grassroots_tui.demo import write_demo_store
    from grassroots_tui.services.documents.pdf import find_soffice, to_pdf

    parser = argparse.ArgumentParser(prog="python -m bench.render", description=__doc__)
    parser.add_argument("--out", type=Path, help="folder for the PDFs and PNGs")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 12, 7))
    parser.add_argument("--images", type=Path, help="also write each first page here, small")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    soffice, pdftoppm = find_soffice(), shutil.which("pdftoppm")
    if soffice is None or pdftoppm is None:
        print(
            "make render 需要 LibreOffice 和 poppler-utils：apt-get install libreoffice-calc "
            "libreoffice-writer fonts-noto-cjk poppler-utils",
            file=sys.stderr,
        )
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="grassroots-render-"))
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo" / "grassroots.json"
    write_demo_store(db, today=args.today, force=True)
    env = font_env(out)
    for name, (data, suffix) in outputs(db, args.today).items():
        (out / f"{name}{suffix}").write_bytes(data)
        pdf = to_pdf(data, suffix=suffix, name=name, soffice=soffice, env=env)
        (out / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(
            [pdftoppm, "-r", str(args.dpi), "-png", str(out / f"{name}.pdf"), str(out / name)],
            check=True,
        )
        pages = sorted(out.glob(f"{name}-*.png"))
        print(f"{name}: {len(pages)} 页  {out / name}.pdf")
        if args.images and pages:
            _small_image(pdftoppm, out / f"{name}.pdf", args.images / f"{name}.png")
    print(f"PNG：{out}")
    return 0


def _small_image(pdftoppm: str, pdf: Path, to: Path) -> None:
    """The first page as a PNG under :data:`MAX_IMAGE` bytes (lower resolution until it is)."""
    to.parent.mkdir(parents=True, exist_ok=True)
    for dpi in (60, 50, 40, 32):
        stem = to.with_suffix("")
        subprocess.run(
            [
                pdftoppm,
                "-r",
                str(dpi),
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(stem),
            ],
            check=True,
        )
        if to.stat().st_size <= MAX_IMAGE:
            return


if __name__ == "__main__":
    raise SystemExit(main())
