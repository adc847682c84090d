"""Store benchmarks: ``python -m bench.run`` (``make bench``) writes ``bench/RESULTS.md``.

- :mod:`bench.corpus` builds deterministic corpora of stored documents from the demo;
- :mod:`bench.engines` writes a corpus into our store, TinyDB's default JSONStorage and
  SQLite, and does the same work on each (open, overdue-slip query, save);
- :mod:`bench.store_bench` times that work, each measurement in a fresh subprocess;
- :mod:`bench.run` runs everything at 1k, 10k and 100k documents and writes the report.

Benchmarks are not tests: nothing here is collected by pytest, and no test asserts a time.
"""
