"""bench.crypto runs end to end on a small corpus and reports every figure it promises."""

from __future__ import annotations

import re
from pathlib import Path

from bench import crypto


def test_the_crypto_benchmark_reports_open_save_and_unlock(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS-crypto.md"
    args = ["--n", "300", "--reps", "1", "--saves", "5", "--cipher-mb", "2", "--output", str(out)]
    assert crypto.main(args) == 0
    text = out.read_text(encoding="utf-8")
    for variant in crypto.VARIANTS:
        assert re.search(
            rf"^\| {variant} \| [\d.]+ MB \| \d+ ms \| \d+ ms \| \d+ ms \| [\d.]+ \|", text, re.M
        ), variant
        assert re.search(rf"^\| {variant} \| [\d.]+ ms \| [\d.]+ ms \| \d+ \|", text, re.M), variant
    assert re.search(r"AES-256-GCM \d+ MB/s, SM4-GCM \d+ MB/s", text)
    assert re.search(r"Argon2id at the calibrated 64 MiB × \d+ passes: \d+ ms", text)
    assert "python -m bench.crypto --n 300" in text
