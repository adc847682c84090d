"""Child process for the crash tests: one household import, to be killed part-way.

Usage: python -m tests.crash_import STORE_PATH LEDGER_PATH STATION_CODE

Opens the store and prints "READY"; then reads the ledger, previews the import and
applies it (:func:`grassroots_tui.services.household_import.apply_import`, one store
transaction), printing "BEGIN import" (flushed) just before. Only when ``apply_import``
has returned does it print "DONE <count>": an import the parent has seen DONE for was
acknowledged, and must be there whole. A kill after BEGIN and before DONE landed inside
the transaction.
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path

from grassroots_tui.services.household_import import apply_import, preview_import, read_ledger
from grassroots_tui.store import Store
from tests.crash_writer import begin
from tests.factories import id_number

HEADER = ("户号", "户主姓名", "身份证号", "联系电话", "地址", "网格", "人口数", "标签")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰建国志强海燕丽华春梅玉珍伟明"


def ledger_csv(prefix: str, rows: int, serial: int) -> bytes:
    """A ledger of ``rows`` new households numbered ``PREFIX-0001``…, every ID number
    valid and different from those of every other ``serial``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(1, rows + 1):
        k = serial * rows + i
        born = date.fromordinal(date(1950, 1, 1).toordinal() + k // 1000)
        writer.writerow(
            [
                f"{prefix}-{i:04d}",
                SURNAMES[k % len(SURNAMES)] + GIVEN[k % 7 * 2 : k % 7 * 2 + 2],
                id_number(born=born.strftime("%Y%m%d"), seq=f"{k % 1000:03d}"),
                f"139{k % 100_000_000:08d}",
                f"湘龙小区{i // 100 + 1}栋{i % 100 + 1}号",
                "一网格",
                str(i % 5 + 1),
                "",
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    path, ledger_path, station_code = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    store = Store.open(path, daily_backup=False)
    print("READY", flush=True)
    station = next(s for s in store.raw("station") if s.get("code") == station_code)
    ledger = read_ledger(ledger_path)
    preview = preview_import(store.raw("household"), station["id"], ledger, date.today())
    assert not preview.rejected, preview.rejected[:3]
    begin("import")
    result = apply_import(store, preview, "crash-import")
    print(f"DONE {result.added}", flush=True)
    store.close()


if __name__ == "__main__":
    main()
