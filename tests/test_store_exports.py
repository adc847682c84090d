import stat
from pathlib import Path

from grassroots_tui.store.exports import safe_name, write_export
from grassroots_tui.store.paths import StorePaths


def test_exports_are_written_beside_the_store_readable_by_the_owner_only(tmp_path: Path) -> None:
    paths = StorePaths.for_main(tmp_path / "g.json")
    written = write_export(paths, "湘龙群交〔2026〕第0015号", "交办单\n", suffix=".txt")
    assert written.parent == tmp_path / "exports"
    assert written.name.startswith("湘龙群交〔2026〕第0015号-")
    assert written.read_text(encoding="utf-8") == "交办单\n"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_safe_name_removes_path_separators() -> None:
    assert safe_name("a/b\\c: d") == "a_b_c_d"
    assert safe_name("///") == "export"


def test_two_exports_in_the_same_second_do_not_overwrite_each_other(tmp_path: Path) -> None:
    paths = StorePaths.for_main(tmp_path / "g.json")
    first = write_export(paths, "slip", "一")
    second = write_export(paths, "slip", "二")
    assert first != second
    assert (first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8")) == ("一", "二")
