"""A summary of the demo, and writing it into a new store (:func:`write_demo_store`),
stamped :func:`demo_stamp`."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

from grassroots_tui.demo.build import build_demo
from grassroots_tui.demo.common import DEMO_ACTOR, DEMO_HOUR
from grassroots_tui.lang import language, tr
from grassroots_tui.models import KINDS, Document, HandoffSlip, Household, Station, Visit
from grassroots_tui.models.errors import listing
from grassroots_tui.services.slips.clock import STEP_KINDS, SlipSteps, timeline


def year_to_date_visit_rate(docs: list[Document], today: date) -> float:
    """Distinct households visited from 1 January to ``today`` ÷ households (0–1)."""
    households = {d.id for d in docs if isinstance(d, Household)}
    start = date(today.year, 1, 1)
    visited = {
        d.household_id
        for d in docs
        if isinstance(d, Visit) and start <= d.date <= today and d.household_id in households
    }
    return len(visited) / len(households) if households else 0.0


def summarize(docs: list[Document], today: date, seed: int) -> str:
    """A short summary of the demo documents, in the interface's language: counts per kind
    and a few figures."""
    counts = Counter(d.KIND for d in docs)
    parts = [f"{tr(KINDS[kind].LABEL)} {counts[kind]}" for kind in KINDS if counts.get(kind)]
    steps = SlipSteps({kind: [d for d in docs if d.KIND == kind] for kind in STEP_KINDS})
    overdue = sum(
        timeline(d, steps.of(d.id), None).overdue_on(today)
        for d in docs
        if isinstance(d, HandoffSlip)
    )
    rate = year_to_date_visit_rate(docs, today)
    lines = [
        tr(
            "演示数据（今天 {today}，随机种子 {seed}）：共 {count} 条文档。",
            today=today.isoformat(),
            seed=seed,
            count=len(docs),
        ),
        listing(parts) + ("。" if language() == "zh" else "."),
        tr(
            "今年累计走访率 {rate}%；超期未办结的交办单 {overdue} 件。",
            rate=f"{rate * 100:.2f}",
            overdue=overdue,
        ),
        tr("督导记录只涉及演示中的两个群工站（督导目标为每人每天 3 个站）。"),
    ]
    return "\n".join(lines)


def _now() -> datetime:
    """The machine's clock: local time with its UTC offset, as the store stamps a save."""
    return datetime.now().astimezone()


def demo_stamp(today: date, now: datetime) -> datetime:
    """When the demo's documents are recorded as written: every audit entry's ``at`` and
    every document's ``created_at``, in local time with its offset.

    08:00 on ``today`` (a working day's start), but never later than ``now``, the moment
    the demo is written (whole seconds, so never after it): a real change made right after
    is stamped by the real clock, and must not look to ``grassroots check`` like a clock
    set back. So when ``today`` is today, before 08:00 the stamp is ``now``; when
    ``today`` is past, 08:00 that day; when it is in the future, ``now``. A naive ``now``
    is taken as local time.
    """
    now = now.astimezone().replace(microsecond=0)
    return min(datetime.combine(today, DEMO_HOUR).astimezone(), now)


def _demo_scope(docs: list[Document], replica: str | None) -> str | None:
    """The store scope for ``replica`` ("office", a station code, or None)."""
    from grassroots_tui.store import StoreError

    if replica is None:
        return None
    if replica.strip().lower() == "office":
        return "office"
    wanted = replica.strip().upper()
    for doc in docs:
        if isinstance(doc, Station) and doc.code.upper() == wanted:
            return f"station:{doc.id}"
    codes = listing([d.code for d in docs if isinstance(d, Station)])
    raise StoreError(
        tr(
            "演示数据中没有站点代码为“{replica}”的群工站（有：{codes}；或用 office）。",
            replica=replica,
            codes=codes,
        )
    )


def write_demo_store(
    path: Path,
    today: date,
    seed: int = 2026,
    force: bool = False,
    *,
    now: datetime | None = None,
    replica: str | None = None,
) -> str:
    """Create a demo store at ``path`` and return a short Chinese summary of it.

    Refuses with :class:`StoreError` when a store exists there, unless ``force``: then the
    old store is removed first (a copy is kept in its backups folder, see
    :func:`grassroots_tui.store.remove.remove_store`). All documents are written in one
    transaction by "演示数据", stamped :func:`demo_stamp` (``today``, ``now``): 08:00 on
    ``today`` or ``now`` (default: the machine's clock) if that is earlier, so that the
    audit trail's times never go back when real work follows. The documents do not depend
    on ``now``: nothing in them that has a time of day happened on ``today``.

    ``replica``: which machine the store is, "office" (the street office's) or a station's
    code (e.g. "HL01"); None keeps it standalone (one machine for everything). The
    documents are written first, as if the others' had been pulled from the hub, then the
    store is enrolled: from then on it writes only its own documents.
    """
    from grassroots_tui.store import Store, StoreError
    from grassroots_tui.store.paths import StorePaths
    from grassroots_tui.store.remove import remove_store, store_exists

    paths = StorePaths.for_main(path)
    docs = build_demo(today, seed)
    scope = _demo_scope(docs, replica)  # refused before anything is written or removed
    if store_exists(paths.main):
        if not force:
            raise StoreError(
                tr(
                    "{path} 已有数据，没有生成演示数据。如确要用演示数据替换它，"
                    "请加 --force（原数据会先另存到备份文件夹 {backups}）。",
                    path=paths.main,
                    backups=paths.backups.name,
                )
            )
        remove_store(paths.main)
    stamp = demo_stamp(today, _now() if now is None else now)
    store = Store.open(paths.main, clock=lambda: stamp, daily_backup=False)
    try:
        if store.readonly:
            raise StoreError(tr("不能写入演示数据：{reason}", reason=store.readonly_reason))
        with store.transaction(DEMO_ACTOR) as tx:
            for doc in docs:
                tx.save(doc)
        if scope is not None:
            store.enroll(scope, DEMO_ACTOR)
    finally:
        store.close()
    return summarize(docs, today, seed)
