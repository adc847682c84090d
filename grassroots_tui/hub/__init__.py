"""The street office's hub: the laptops' documents in one database engine that already
exists (PostgreSQL, or an SQLite file), never a server of ours (docs/design.md#the-hub).

- :mod:`.engines`: one connection to either engine, the same plain SQL for both;
- :mod:`.schema`: the hub's tables, created idempotently and versioned, and its epoch;
- :mod:`.replicas`: enrolling a laptop (its replica id and key), the replica list;
- :mod:`.push`: one push transaction and each document's verdict;
- :mod:`.pull`: the pages a replica pulls after its cursor;
- :mod:`.sync`: a laptop's sync (push, then pull in pages), safe to cut and run again;
- :mod:`.config`: where a laptop keeps its hub connection.

The hub layer imports only ``models`` and ``store``; the command line and the screens use it.
"""
