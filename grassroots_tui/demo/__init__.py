"""The demo store: a fictional street office (湘龙街道) with two stations and twelve months
of work up to a given day, built from the data files in ``sample_data/``.

- :func:`build_demo` is pure and deterministic: the same ``today``, ``seed`` and ``scale``
  give identical documents, ids included (every id comes from a seeded ``random.Random``).
- :func:`write_demo_store` writes those documents into a new store in one transaction,
  recorded as written at 08:00 on ``today`` or at the moment it runs if that is earlier
  (:func:`demo_stamp`): a real change made right after never looks like a clock set back.
- :func:`write_ledgers` writes the sample household ledger (``households_ledger.xlsx`` and
  ``.csv``, station HL03) that the import can be tried on.

What the demo holds, for ``scale=1.0``:

- station HL01 湘景社区 (city: compounds, buildings, units, 错时走访 in the evening and at
  weekends, 预约走访单) with 320 households, and HL02 高沙社区 (rural: village groups, 夜访)
  with 260; a head and 4–5 workers each; three supervisors (督导) and two leaders (包案领导)
  of the street office with no station;
- visits of all four kinds over the twelve months up to yesterday, reaching a cumulative
  visit rate of about 80 % for the year to date (lower in the first three months of a
  year, when the rate ramps up), with problems in every state;
- appointments pending (some for today), missed, cancelled and done (linked to visits);
- handoff slips in every state, numbered per station and year, due dates from
  :func:`~grassroots_tui.services.deadlines.compute_due`; relative to ``today`` some are
  overdue (some by more than 5 working days), due today or within 3 days; replies,
  extensions (the original due date kept), returns, reminders and callbacks match each
  slip's state; one household per station petitions twice under the same lead official;
- hardship cases in every status with assistance records, reviews, a finished Spring
  Festival round and a festival round that is half done;
- duty shifts on working days from two months back to one month ahead, with leave
  (approved with a substitute, a late sick-leave request, a pending one, a refused one);
- supervision checks. The target is 3 stations per supervisor per day, but the store has
  only two stations: on most supervision days both are checked and the finding notes
  that a third station, not in the demo, was also visited; some days only one station is
  checked and the finding says the target was missed;
- the 三三工作法 activities of each station this year and seven media reports.

``scale`` multiplies the households and everything that grows with them (visits,
appointments, slips, hardship cases); the stations, staff, rosters, supervision and
activities stay as they are.

The package, by part of the demo: :mod:`.common` (the seeded random source, working
days, constants), :mod:`.names` (names and personal data), :mod:`.homes` (planning the
households), :mod:`.base` (the generator's state), :mod:`.visits` (visits and
appointments), :mod:`.hardship` (households and hardship cases), :mod:`.slips` (handoff
slips), :mod:`.rosters` (duty shifts and leave), :mod:`.supervision` (supervision,
三三工作法 and media), :mod:`.build` (:func:`build_demo`), :mod:`.writing` (the summary
and :func:`write_demo_store`), :mod:`.ledger` (the sample household ledger) and
:mod:`.sample_data` (the data files). The demo is not domain logic: it sits in its own
layer above ``services`` (docs/design.md#layers).
"""

from __future__ import annotations

from grassroots_tui.demo.build import build_demo
from grassroots_tui.demo.common import CST, DEMO_ACTOR, DEMO_STATIONS, is_workday
from grassroots_tui.demo.ledger import (
    LEDGER_HEADERS,
    ledger_csv_bytes,
    ledger_rows,
    write_ledgers,
)
from grassroots_tui.demo.writing import (
    demo_stamp,
    summarize,
    write_demo_store,
    year_to_date_visit_rate,
)

__all__ = [
    "DEMO_ACTOR",
    "LEDGER_HEADERS",
    "build_demo",
    "demo_stamp",
    "ledger_rows",
    "summarize",
    "write_demo_store",
    "write_ledgers",
    "CST",
    "DEMO_STATIONS",
    "is_workday",
    "ledger_csv_bytes",
    "year_to_date_visit_rate",
]
