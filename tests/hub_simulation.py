"""A street office's laptops meeting through a real hub for weeks, to show nothing is lost.

Ten station laptops (HL01…HL10) and the office's, each a real :class:`Store` in its own
folder and enrolled with the hub as its own replica, live through ``days`` business
days. Each day every laptop works (a station records households and visits, edits and
deletes some of its own, takes its steps on the slips the office issued to it and runs
its own slips; the office issues slips and calls back or closes the answered ones), then
syncs with probability 0.8 unless it is offline; a sync is cut with probability 0.3 at a
random step:

- before COMMIT: at ``mark_sent`` or ``push``;
- after COMMIT with the answer lost: at ``record_push``;
- before or between pages: at ``pull`` or ``apply_pull``, with a small page size.

HL08 has no network: each of its syncs is a USB bundle (grassroots_tui/hub/bundles.py)
exported, imported at the hub by the office and its answer imported back; a bundle is
lost on the way there, an answer on the way back, or an answer imported twice.

Besides, stations go offline for days at a time; one laptop (HL03) is restored from a
copy of its store folder made a week before (the same replica) and used offline for a
while; one (HL05) is cloned, both machines making edits under the same replica id; the
office edits a station's household on purpose, which its store refuses
(:class:`NotYourDocument`), and then pushes it anyway, which the hub keeps as a conflict
(reason ``writer``).

The :class:`Ledger`, kept outside the stores, records every revision any laptop saved
(kind, id, rev_hash, the revision it replaced, writer, laptop, day): it sees each journal
save that carries audit entries (a person's save, never a sync's bookkeeping). At the end
:meth:`Simulation.verify` requires every revision to be the hub's current one, kept in
its conflict table, or an ancestor (through later saves of the same document) of one that
is; every conflict row ever seen still there; every laptop's audit chain at the hub (with
forks recorded for the restored and the cloned laptop, and none for the others); and,
after rounds with everyone online and no cuts, every laptop equal to the hub (its scope's
(kind, id, rev_hash), apart from its own open conflicts) within three rounds.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from grassroots_tui.hub.bundles import answer_bundle, export_bundle, import_answer
from grassroots_tui.hub.config import HubConfig
from grassroots_tui.hub.engines import HubAddress, HubConnection
from grassroots_tui.hub.push import CONFLICT, WRITER, push
from grassroots_tui.hub.replicas import enroll_replica, get_replica
from grassroots_tui.hub.schema import init_hub
from grassroots_tui.hub.sync import SyncReport, sync
from grassroots_tui.models import Household, Satisfaction, SlipSource, SlipState, Station, Visit
from grassroots_tui.models import base as models_base
from grassroots_tui.models.base import writer_of
from grassroots_tui.services import slips as S
from grassroots_tui.services.check import check_store
from grassroots_tui.services.slips.clock import views
from grassroots_tui.services.workcalendar import OfficialCalendar
from grassroots_tui.store import NotYourDocument, Store
from grassroots_tui.store.store import AUDIT, META, TOMBS, PendingDocument, revision_hash
from tests.factories import household, station, visit

START = dt.date(2026, 3, 2)  # a Monday
CAL = OfficialCalendar()
CODES = tuple(f"HL{n:02d}" for n in range(1, 11))
OFFICE = "office"
RESTORED = "HL03"
CLONED = "HL05"
CLONE = "HL05b"
#: The station with no network: every sync is a USB bundle carried to the office and back.
BUNDLED = "HL08"

#: The steps a sync can be cut at, and what a cut there leaves at the hub.
CUT_STEPS = {
    "mark_sent": "before COMMIT",
    "push": "before COMMIT",
    "record_push": "after COMMIT, answer lost",
    "pull": "before a page",
    "apply_pull": "between pages",
}
CUT_WEIGHTS = {"mark_sent": 1.0, "push": 1.0, "record_push": 1.5, "pull": 0.5, "apply_pull": 1.5}


class Cut(Exception):
    """The connection dropped at a chosen step of a sync."""


def cutter(step: str, nth: int) -> Callable[[str], None]:
    """A ``cut`` that raises the ``nth`` time the sync reaches ``step``."""
    seen = 0

    def cut(now: str) -> None:
        nonlocal seen
        if now == step:
            seen += 1
            if seen == nth:
                raise Cut(step)

    return cut


def business_days(start: dt.date) -> Iterator[dt.date]:
    day = start
    while True:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


@contextmanager
def seeded_ids(seed: int) -> Iterator[None]:
    """Document ids drawn from ``seed`` (every new document's id comes from
    ``models.base.new_id``), so that a seed replays the same run: the laptops pick
    documents from lists whose order follows their ids."""
    rng = random.Random(f"ids-{seed}")
    original = models_base.uuid4
    models_base.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # type: ignore[assignment]
    try:
        yield
    finally:
        models_base.uuid4 = original


# -- the ledger ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    kind: str
    id: str
    rev_hash: str
    #: The revision this one replaced on the laptop that saved it (None: a new document).
    parent: str | None
    writer: str
    laptop: str
    day: int


@dataclass
class Ledger:
    """Every revision any laptop saved, kept outside the stores."""

    revisions: list[Revision] = field(default_factory=list)

    def watch(self, laptop: Laptop) -> None:
        """Record each revision ``laptop``'s store saves from now on: a journal save with
        audit entries (a save or a delete; a sync's own saves have none) whose documents
        of the laptop's writer got a new hash."""
        store = laptop.store
        original = store._write

        def write(ops: list[Any]) -> None:
            saved: list[Revision] = []
            if any(op[0] == "put" and op[1] == AUDIT for op in ops):
                for op in ops:
                    if op[0] != "put" or op[1] in (AUDIT, META):
                        continue
                    doc = op[3]
                    if writer_of(doc) != laptop.writer:
                        continue
                    prior = store._stored(str(doc["kind"]), str(doc["id"]))
                    parent = prior.get("rev_hash") if prior else None
                    if parent != doc["rev_hash"]:
                        saved.append(
                            Revision(
                                doc["kind"],
                                doc["id"],
                                doc["rev_hash"],
                                parent,
                                writer_of(doc),
                                laptop.name,
                                laptop.day,
                            )
                        )
            original(ops)
            self.revisions.extend(saved)

        store._write = write  # type: ignore[method-assign]

    def lost(self, held: dict[tuple[str, str], str], kept: set[tuple[str, str, str]]) -> list:
        """The revisions neither held by the hub (``held``: (kind, id) → its rev_hash),
        nor kept as a conflict (``kept``: (kind, id, pushed_hash)), nor an ancestor of one
        that is (through later saves of the same document, on any laptop of its writer)."""
        children: dict[tuple[str, str, str], list[Revision]] = {}
        for rev in self.revisions:
            if rev.parent is not None:
                children.setdefault((rev.kind, rev.id, rev.parent), []).append(rev)
        safe: dict[tuple[str, str, str], bool] = {}

        def is_safe(kind: str, doc_id: str, digest: str) -> bool:
            key = (kind, doc_id, digest)
            if key in safe:
                return safe[key]
            safe[key] = False  # (no cycles: every save makes a new hash)
            found = held.get((kind, doc_id)) == digest or key in kept
            if not found:
                found = any(
                    is_safe(kind, doc_id, child.rev_hash) for child in children.get(key, [])
                )
            safe[key] = found
            return found

        return [r for r in self.revisions if not is_safe(r.kind, r.id, r.rev_hash)]


# -- the laptops -----------------------------------------------------------------------------


@dataclass
class Laptop:
    name: str
    scope: str
    writer: str
    replica_id: str
    main: Path
    rng: random.Random
    store: Store = field(init=False)
    station: Station | None = None
    offline_until: int = -1
    #: The next household number (a clone numbers from elsewhere).
    serial: int = 1
    day: int = 0
    key_b64: str = ""

    def open(self) -> None:
        self.store = Store.open(self.main, daily_backup=False, scope=self.scope)

    def close(self) -> None:
        self.store.close()

    @property
    def is_office(self) -> bool:
        return self.writer == OFFICE


@dataclass
class Figures:
    days: int = 0
    laptops: int = 0
    revisions: int = 0
    syncs: int = 0
    syncs_whole: int = 0
    cuts: Counter[str] = field(default_factory=Counter)
    cuts_missed: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    conflicts: Counter[str] = field(default_factory=Counter)
    forks: Counter[str] = field(default_factory=Counter)
    work: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    hub_docs: int = 0
    audit_entries: int = 0
    rounds: int = 0
    lost: int = 0
    offline_days: int = 0
    bundle_trips: int = 0
    bundles_lost: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        by_kind = Counter[str]()
        for step, n in self.cuts.items():
            by_kind[CUT_STEPS[step]] += n
        return [
            f"{self.days} business days, {self.laptops} laptops, "
            f"{self.revisions} revisions saved, {self.offline_days} laptop-days offline",
            f"work: {dict(sorted(self.work.items()))}; refused steps {sum(self.refused.values())}",
            f"syncs: {self.syncs} ({self.syncs_whole} whole), cuts {self.cuts.total()}: "
            + ", ".join(f"{k} {n}" for k, n in sorted(by_kind.items()))
            + " ("
            + ", ".join(f"{k} {n}" for k, n in sorted(self.cuts.items()))
            + f"; {self.cuts_missed} planned cuts never reached)",
            f"verdicts: {dict(sorted(self.verdicts.items()))}",
            f"conflict rows {self.conflicts.total()}: {dict(sorted(self.conflicts.items()))}, "
            "none deleted",
            f"forks {self.forks.total()}: {dict(sorted(self.forks.items()))}",
            f"hub: {self.hub_docs} documents, {self.audit_entries} audit entries; "
            f"converged in {self.rounds} rounds; revisions lost: {self.lost}",
            f"USB bundles ({BUNDLED} only): {self.bundle_trips} whole trips, "
            + ", ".join(f"{k} {n}" for k, n in sorted(self.bundles_lost.items())),
        ]


# -- the simulation --------------------------------------------------------------------------


class Simulation:
    def __init__(
        self, address: HubAddress, root: Path, *, seed: int, days: int = 40, per_day: int = 2
    ) -> None:
        self.address = address
        self.root = root
        self.seed = seed
        self.days = days
        self.per_day = per_day
        self.rng = random.Random(seed)
        self.ledger = Ledger()
        self.figures = Figures(days=days)
        self.laptops: list[Laptop] = []
        self.conflict_ids: set[str] = set()
        self.dates = [d for d, _ in zip(business_days(START), range(days + 1), strict=False)]
        # Where the special events fall.
        self.copy_day = max(2, days // 4)
        self.restore_day = self.copy_day + 7
        self.clone_day = max(3, days // 3)
        self.force_day = max(4, days // 2)
        if self.restore_day + 5 >= days:
            raise ValueError(f"{days} days is too short for the restore (at least 15)")

    # -- helpers --

    @contextmanager
    def hub(self) -> Iterator[HubConnection]:
        with HubConnection.open(self.address) as hub:
            yield hub

    def laptop(self, name: str) -> Laptop:
        return next(lap for lap in self.laptops if lap.name == name)

    def folder(self, name: str) -> Path:
        return self.root / name

    # -- setting up --

    def setup(self) -> None:
        with HubConnection.open(self.address, create=True) as hub:
            init_hub(hub)
            office_replica, _key = enroll_replica(hub, OFFICE, by="管理员")
            replicas = {
                code: enroll_replica(hub, f"station:{station(code).id}", by="管理员")
                for code in CODES
            }
        office = Laptop(
            OFFICE,
            OFFICE,
            OFFICE,
            office_replica.id,
            self.folder(OFFICE) / "grassroots.json",
            random.Random(f"{self.seed}-office"),
        )
        self.laptops.append(office)
        for code in CODES:
            doc = station(code)
            self.laptops.append(
                Laptop(
                    code,
                    f"station:{doc.id}",
                    doc.id,
                    replicas[code][0].id,
                    self.folder(code) / "grassroots.json",
                    random.Random(f"{self.seed}-{code}"),
                    station=doc,
                    key_b64=replicas[code][1],
                )
            )
        for lap in self.laptops:
            lap.open()
            self.ledger.watch(lap)
        # The office saves the list of stations; every laptop pulls it.
        for code in CODES:
            office.store.save(station(code), "群工办")
        for lap in self.laptops:
            self.sync(lap, cut_chance=0.0)

    # -- one sync --

    def sync(
        self, lap: Laptop, *, cut_chance: float = 0.3, retry: float = 0.5
    ) -> SyncReport | None:
        """One sync of ``lap`` (cut at a random step with ``cut_chance``), run again after
        a cut with probability ``retry``. The report of the last whole one, or None."""
        if lap.name == BUNDLED:
            return self.bundle_trip(lap, loss_chance=cut_chance)
        while True:
            self.figures.syncs += 1
            cut_step: str | None = None
            page_size = lap.rng.choice((3, 10, 2000))
            cut = None
            if lap.rng.random() < cut_chance:
                cut_step = lap.rng.choices(list(CUT_WEIGHTS), list(CUT_WEIGHTS.values()))[0]
                nth = 1
                if cut_step in ("pull", "apply_pull"):
                    page_size = lap.rng.choice((2, 3, 5))
                    nth = lap.rng.choice((1, 2, 2, 3))
                cut = cutter(cut_step, nth)
            report: SyncReport | None = None
            try:
                with self.hub() as hub:
                    if cut is None:
                        report = sync(lap.store, hub, lap.replica_id, page_size=page_size)
                    else:
                        report = sync(lap.store, hub, lap.replica_id, page_size=page_size, cut=cut)
            except Cut as landed:
                self.figures.cuts[str(landed)] += 1
            self.check_conflicts_kept()
            if report is not None:
                if cut_step is not None:
                    self.figures.cuts_missed += 1
                self.figures.syncs_whole += 1
                self.figures.verdicts.update(report.verdicts)
                return report
            if lap.rng.random() >= retry:
                return None

    def bundle_trip(self, lap: Laptop, *, loss_chance: float) -> SyncReport | None:
        """The station's sync by USB: a push bundle exported, imported at the hub by the
        office, its answer imported back. A bundle can be lost on the way there (nothing
        at the hub), its answer on the way back (committed, answer lost), or an answer
        imported twice."""
        figures = self.figures
        figures.syncs += 1
        config = HubConfig(
            self.address.engine, self.address.target, lap.replica_id, lap.scope, lap.key_b64
        )
        usb = self.root / "usb" / f"{lap.name}-{lap.day}-{figures.syncs}"
        exported = export_bundle(lap.store, config, usb / "out")
        fate = lap.rng.random() if lap.rng.random() < loss_chance else 1.0
        if fate < 0.3:
            figures.bundles_lost["push bundle lost"] += 1
            return None
        with self.hub() as hub:
            answered = answer_bundle(hub, exported.path, usb / "back")
        self.check_conflicts_kept()
        if fate < 0.6:
            figures.bundles_lost["answer lost"] += 1
            return None
        imported = import_answer(lap.store, config, answered.path)
        if fate < 1.0:
            again = import_answer(lap.store, config, answered.path)
            assert again.skipped, "an answer imported twice was taken twice"
            figures.bundles_lost["answer imported twice"] += 1
        figures.bundle_trips += 1
        figures.syncs_whole += 1
        figures.verdicts.update(imported.report.verdicts)
        return imported.report

    def check_conflicts_kept(self) -> None:
        with self.hub() as hub:
            now = {row[0] for row in hub.all("SELECT id FROM conflict")}
        gone = self.conflict_ids - now
        assert not gone, f"conflict rows deleted at the hub: {sorted(gone)}"
        self.conflict_ids = now

    # -- a day's work --

    def own(self, lap: Laptop, kind: type[Any]) -> list[Any]:
        """The laptop's own documents of ``kind`` it may pick to edit or delete."""
        docs = [d for d in lap.store.iter(kind) if d.writer == lap.writer]
        return docs

    def station_day(self, lap: Laptop, today: dt.date) -> None:
        rng, store, work = lap.rng, lap.store, self.figures.work
        assert lap.station is not None
        sid, code = lap.station.id, lap.station.code
        for _ in range(rng.randint(0, self.per_day)):
            number = f"{code}-{lap.serial:04d}"
            lap.serial += 1
            store.save(
                household(
                    number,
                    station_id=sid,
                    people=rng.randint(1, 6),
                    head_of_household=rng.choice(("张桂兰", "李建国", "王秀英", "刘德华")),
                ),
                f"{code}站员",
            )
            work["households"] += 1
        homes = self.own(lap, Household)
        for _ in range(rng.randint(0, self.per_day) if homes else 0):
            home = rng.choice(homes)
            store.save(
                visit(home.id, station_id=sid, date=today, greeting=f"第{lap.day}天走访"),
                f"{code}站员",
            )
            work["visits"] += 1
        # Edits of its own documents, some made on another machine and pulled back (a clone).
        for _ in range(rng.randint(0, self.per_day)):
            pool = self.own(lap, Household) + self.own(lap, Visit)
            if not pool:
                break
            doc = rng.choice(pool)
            if isinstance(doc, Household):
                changed = doc.model_copy(update={"people": rng.randint(1, 9)})
            else:
                changed = doc.model_copy(update={"greeting": f"{lap.name}第{lap.day}天补记"})
            store.save(changed, f"{code}站员")
            work["edits"] += 1
        if rng.random() < 0.25:
            visits = self.own(lap, Visit)
            if visits:
                store.delete(Visit, rng.choice(visits).id, f"{code}站员")
                work["deletes"] += 1
        if rng.random() < 0.06:
            homes = self.own(lap, Household)
            if homes:
                store.delete(Household, rng.choice(homes).id, f"{code}站员")
                work["deletes"] += 1
        # Its own slips: drafted and issued here, every step taken here.
        if rng.random() < 0.2:
            made = S.draft_slip(
                lap.station,
                source=SlipSource.HOTLINE,
                category="城市管理",
                title=f"{lap.name}第{lap.day}天来电",
                description="路灯不亮",
                handling_unit="城管中队",
            )
            slip_id = S.save_draft(store, made, f"{code}站员").id
            self.step(lap, "issue", S.issue, slip_id, on=today, actor="站长", calendar=CAL)
        self.take_steps(lap, today)

    def take_steps(self, lap: Laptop, today: dt.date) -> None:
        """Every step this laptop may take today on the slips it holds, each with a chance."""
        rng, store = lap.rng, lap.store
        actor = "群工办" if lap.is_office else f"{lap.name}站员"
        for slip in list(views(store, CAL).values()):
            if not lap.is_office and slip.station_id != lap.writer:
                continue
            allowed = S.allowed_actions(slip, has_reply=S.has_reply(store, slip.id))
            mine = [a for a in allowed if S.party_refusal(store, slip, a) is None]
            if not mine or rng.random() < 0.4:
                continue
            sid = slip.id
            if "accept" in mine and slip.state is SlipState.ISSUED:
                self.step(lap, "accept", S.accept, sid, on=today, actor=actor)
            elif "reply" in mine and slip.state in (SlipState.ACCEPTED, SlipState.REDO):
                self.step(
                    lap,
                    "reply",
                    S.reply,
                    sid,
                    reply_date=today,
                    result=f"{lap.name}已办理",
                    policy_basis="",
                    handler="王",
                    signer=None,
                    actor=actor,
                )
            elif "callback" in mine and slip.state is SlipState.REPLIED and rng.random() < 0.6:
                satisfaction = rng.choice(
                    (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.UNSATISFIED)
                )
                self.step(
                    lap,
                    "callback",
                    S.callback,
                    sid,
                    on=today,
                    satisfaction=satisfaction,
                    by=actor,
                    note="",
                    actor=actor,
                    calendar=CAL,
                )
            elif "close" in mine and slip.state is SlipState.REPLIED:
                self.step(lap, "close", S.close, sid, on=today, actor=actor)

    def step(self, lap: Laptop, name: str, run: Callable[..., Any], *args: Any, **kw: Any) -> None:
        try:
            run(lap.store, *args, **kw)
        except (S.SlipActionRefused, NotYourDocument) as refused:
            self.figures.refused[name] += 1
            self.figures.refused[type(refused).__name__] += 1
            return
        self.figures.work[f"slip {name}"] += 1

    def office_day(self, lap: Laptop, today: dt.date) -> None:
        rng, store = lap.rng, lap.store
        stations = {s.id: s for s in store.all(Station)}
        for _ in range(rng.randint(0, 2)):
            to = stations[station(rng.choice(CODES)).id]
            made = S.draft_slip(
                to,
                source=SlipSource.STREET_OFFICE,
                category=rng.choice(("城市管理", "环境卫生", "社会保障")),
                title=f"街道交办第{lap.day}天",
                description="群众反映的问题",
                handling_unit="社区",
            )
            slip_id = S.save_draft(store, made, "群工办").id
            if rng.random() < 0.2:
                # A draft edited before it goes: the office's own document.
                edited = S.get_slip(store, slip_id).stored()
                S.save_draft(store, edited.model_copy(update={"title": "改过的标题"}), "群工办")
                self.figures.work["office draft edits"] += 1
            self.step(
                lap,
                "issue",
                S.issue,
                slip_id,
                on=today,
                actor="群工办",
                calendar=CAL,
            )
        self.take_steps(lap, today)

    def forced_edit(self, lap: Laptop) -> None:
        """The office edits a station's household: refused by its store, then pushed by
        hand; the hub keeps it as a conflict (reason writer) and its own untouched."""
        store = lap.store
        theirs = [h for h in store.iter(Household) if h.writer != OFFICE]
        assert theirs, "the office has pulled no station's household yet"
        target = lap.rng.choice(theirs)
        try:
            store.save(target.model_copy(update={"people": 42}), "群工办")
        except NotYourDocument:
            self.figures.work["office edits refused locally"] += 1
        else:
            raise AssertionError("the office's store saved a station's household")
        raw = dict(store.get_raw("household", target.id) or {})
        body = {k: v for k, v in raw.items() if k not in ("acked_hash", "sent_hashes")}
        body.update(people=42, rev=int(raw["rev"]) + 1, updated_by="群工办")
        body["rev_hash"] = revision_hash(body)
        item = PendingDocument(
            "household", target.id, body["rev_hash"], raw.get("acked_hash"), False, body
        )
        with self.hub() as hub:
            before = hub.one(
                "SELECT rev_hash FROM doc WHERE kind = 'household' AND id = %s", (target.id,)
            )
            result = push(hub, lap.replica_id, [item])
            after = hub.one(
                "SELECT rev_hash FROM doc WHERE kind = 'household' AND id = %s", (target.id,)
            )
        ((verdict),) = result.verdicts
        assert (verdict.verdict, verdict.reason) == (CONFLICT, WRITER), verdict
        assert before == after, "the hub changed a station's household the office pushed"
        self.ledger.revisions.append(
            Revision(
                "household",
                target.id,
                body["rev_hash"],
                raw.get("rev_hash"),
                writer_of(body),
                "office (forced)",
                lap.day,
            )
        )
        self.figures.work["office edits pushed by force"] += 1
        self.check_conflicts_kept()

    # -- the restored and the cloned laptop --

    def copy_folder(self, lap: Laptop, to: Path) -> None:
        lap.close()
        shutil.copytree(lap.main.parent, to, ignore=shutil.ignore_patterns("*.lock"))
        lap.open()
        self.ledger.watch(lap)

    def restore(self, lap: Laptop, copy: Path) -> None:
        lap.close()
        shutil.rmtree(lap.main.parent)
        shutil.copytree(copy, lap.main.parent)
        lap.open()
        self.ledger.watch(lap)

    def clone(self, lap: Laptop) -> Laptop:
        folder = self.folder(CLONE)
        self.copy_folder(lap, folder)
        twin = Laptop(
            CLONE,
            lap.scope,
            lap.writer,
            lap.replica_id,
            folder / lap.main.name,
            random.Random(f"{self.seed}-{CLONE}"),
            station=lap.station,
            serial=5000,
        )
        twin.open()
        self.ledger.watch(twin)
        self.laptops.append(twin)
        return twin

    # -- the run --

    def run(self) -> Figures:
        with seeded_ids(self.seed):
            return self._run()

    def _run(self) -> Figures:
        self.setup()
        copy = self.root / f"{RESTORED}-week-old"
        for day in range(1, self.days + 1):
            today = self.dates[day]
            if day == self.restore_day:
                restored = self.laptop(RESTORED)
                self.restore(restored, copy)
                restored.offline_until = day + 4
            if day == self.clone_day:
                self.clone(self.laptop(CLONED))
            order = list(self.laptops)
            self.rng.shuffle(order)
            for lap in order:
                lap.day = day
                if not lap.is_office and day >= lap.offline_until and lap.rng.random() < 0.08:
                    lap.offline_until = day + lap.rng.randint(2, 5)
                if lap.is_office:
                    self.office_day(lap, today)
                    if day == self.force_day:
                        self.forced_edit(lap)
                else:
                    self.station_day(lap, today)
                offline = day < lap.offline_until
                self.figures.offline_days += offline
                last_before_restore = lap.name == RESTORED and day == self.restore_day - 1
                if last_before_restore:  # the disk's last sync, whole, before it dies
                    self.sync(lap, cut_chance=0.0)
                elif not offline and lap.rng.random() < 0.8:
                    self.sync(lap)
            if day == self.copy_day:
                self.copy_folder(self.laptop(RESTORED), copy)
        self.figures.laptops = len(self.laptops)
        return self.figures

    # -- the proof --

    def final_rounds(self, limit: int = 5) -> int:
        """Rounds of syncs with everyone online and no cuts until every laptop equals the
        hub; how many it took."""
        for lap in self.laptops:
            lap.offline_until = -1
        for round_no in range(1, limit + 1):
            for lap in self.laptops:
                self.sync(lap, cut_chance=0.0)
            if not self.differences():
                return round_no
        raise AssertionError(f"not converged after {limit} rounds: {self.differences()[:5]}")

    def local_set(self, lap: Laptop) -> set[tuple[str, str, str]]:
        found = set()
        for table, docs in lap.store.tables.items():
            kind = table.removeprefix(TOMBS)
            if kind in (AUDIT, META) or table.startswith("_") and not table.startswith(TOMBS):
                continue
            for doc in docs.values():
                found.add((kind, doc["id"], doc["rev_hash"]))
        return found

    def hub_set(self, hub: HubConnection, lap: Laptop) -> set[tuple[str, str, str]]:
        if lap.is_office:
            rows = hub.all("SELECT kind, id, rev_hash FROM doc")
        else:
            rows = hub.all(
                "SELECT kind, id, rev_hash FROM doc WHERE scope IN (%s, %s)",
                (lap.writer, "shared"),
            )
        return {(r[0], r[1], r[2]) for r in rows}

    def differences(self) -> list[str]:
        out: list[str] = []
        with self.hub() as hub:
            for lap in self.laptops:
                open_conflicts = set(lap.store.hub_state.get("conflicts") or {})

                def keep(item: tuple[str, str, str], skip: set[str] = open_conflicts) -> bool:
                    return f"{item[0]}/{item[1]}" not in skip

                local = {i for i in self.local_set(lap) if keep(i)}
                there = {i for i in self.hub_set(hub, lap) if keep(i)}
                if local != there:
                    out.append(
                        f"{lap.name}: {len(local - there)} here only, {len(there - local)} hub only"
                    )
        return out

    def verify(self) -> Figures:
        """Everything the simulation must show; raises AssertionError otherwise."""
        figures = self.figures
        figures.rounds = self.final_rounds()
        assert figures.rounds <= 3, f"converged only after {figures.rounds} rounds"
        with self.hub() as hub:
            held = {(r[0], r[1]): r[2] for r in hub.all("SELECT kind, id, rev_hash FROM doc")}
            conflict_rows = hub.all(
                "SELECT id, kind, doc_id, pushed_hash, reason, body FROM conflict"
            )
            kept = {(r[1], r[2], r[3]) for r in conflict_rows}
            for row in conflict_rows:
                assert revision_hash(orjson.loads(row[5])) == row[3], f"conflict {row[0]} altered"
                figures.conflicts[row[4]] += 1
            assert {r[0] for r in conflict_rows} >= self.conflict_ids
            figures.hub_docs = len(held)
            figures.audit_entries = int(hub.one("SELECT count(*) FROM audit_entry")[0])
            names = {lap.replica_id: lap.name for lap in self.laptops if lap.name != CLONE}
            names[self.laptop(CLONED).replica_id] = f"{CLONED}+{CLONE}"
            for replica, n in hub.all("SELECT replica, count(*) FROM fork GROUP BY replica"):
                figures.forks[names[replica]] += int(n)
            self.verify_audit(hub)
        lost = self.ledger.lost(held, kept)
        figures.revisions = len(self.ledger.revisions)
        figures.lost = len(lost)
        assert not lost, f"{len(lost)} revisions lost, e.g. {lost[:3]}"
        assert figures.forks[RESTORED] >= 1, "no fork recorded for the restored laptop"
        assert figures.forks[f"{CLONED}+{CLONE}"] >= 1, "no fork recorded for the clone"
        others = set(figures.forks) - {RESTORED, f"{CLONED}+{CLONE}"}
        assert not others, f"forks recorded for laptops never restored or cloned: {others}"
        assert figures.conflicts[WRITER] >= 1
        for lap in self.laptops:
            lap.close()
            with Store.open(lap.main, daily_backup=False) as store:
                findings = check_store(store)
                assert findings == [], f"{lap.name}: {findings}"
        return figures

    def verify_audit(self, hub: HubConnection) -> None:
        """Every laptop's whole audit chain is at the hub, and the head the hub verified
        is a laptop's last entry (the only one's, or one of the two clones')."""
        by_replica: dict[str, list[Laptop]] = {}
        for lap in self.laptops:
            by_replica.setdefault(lap.replica_id, []).append(lap)
        for replica_id, laps in by_replica.items():
            there = {
                (int(r[0]), r[1])
                for r in hub.all(
                    "SELECT seq, hash FROM audit_entry WHERE replica = %s", (replica_id,)
                )
            }
            lasts = set()
            for lap in laps:
                entries = lap.store.raw(AUDIT)
                mine = {(int(e["seq"]), e["hash"]) for e in entries}
                missing = mine - there
                assert not missing, f"{lap.name}: {len(missing)} audit entries not at the hub"
                lasts.add(max(seq for seq, _ in mine))
            head = get_replica(hub, replica_id).audit_seq
            assert head in lasts, f"{laps[0].name}: hub's audit head {head}, laptops {lasts}"
            if len(laps) == 1:
                assert head == lasts.pop()


def run_simulation(
    address: HubAddress, root: Path, *, seed: int, days: int, per_day: int = 2
) -> Figures:
    sim = Simulation(address, root, seed=seed, days=days, per_day=per_day)
    sim.run()
    return sim.verify()
