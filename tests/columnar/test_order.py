"""The order key (columnar/order.py): packed into one HUGEINT, it sorts as
the reference's log order does, which is the order of the tuples (batch,
wave, rank, path..., position), with a batch campaign's entries first."""

from __future__ import annotations

import itertools

import duckdb

from mkc.columnar import order

BATCH = 2000


def _keys():
    """(the tuple the reference orders by, the SQL of its packed key) for
    activities of flows of every wave the key holds, and entries."""
    found = []
    for rank in (0, 1, 1999, 2000, 4001, order.MAX_RANK):
        batch = rank // BATCH
        found.append(((batch, 0, rank), order.entered(str(rank), BATCH)))
        flows = [((batch, 1, rank), order.start(str(rank), BATCH), 0)]
        for _ in range(order.MAX_WAVE + 1):  # each flow, and the trigger campaigns two of its steps start
            started = []
            for path, key, wave in flows:
                for pos in (1, 7, order.MAX_POS):
                    found.append(((*path, pos), order.at(key, wave, pos)))
                for pos, index in itertools.product((2, order.MAX_POS), (1, order.MAX_INDEX)):
                    child = (path[0], path[1] + 1, *path[2:], pos, index)
                    started.append((child, order.child(key, wave, pos, index), wave + 1))
            flows = started
    return found


def test_the_packed_key_sorts_as_the_reference_orders():
    keys = _keys()
    con = duckdb.connect()
    packed = con.execute("SELECT [" + ", ".join(sql for _, sql in keys) + "]").fetchone()[0]
    assert len(set(packed)) == len(keys)
    by_key = [path for _, path in sorted(zip(packed, (path for path, _ in keys)))]
    assert by_key == sorted(path for path, _ in keys)


def test_placeholders_are_negative_distinct_in_stored_order_and_name_their_statement():
    # A chunk's log is stored with placeholder seqs until it is numbered (columnar/flow.py): never a
    # real seq, one per (statement, person), growing as the rows are stored, and the statement read back.
    pairs = [(s, r) for s in (0, 1, 2, 5000, (1 << 30) - 1) for r in (0, 1, 1999, order.MAX_RANK)]
    con = duckdb.connect()
    held = con.execute("SELECT [" + ", ".join(order.placeholder(s, str(r)) for s, r in pairs) + "]").fetchone()[0]
    assert all(seq < 0 for seq in held)
    assert held == sorted(held) and len(set(held)) == len(pairs)
    back = con.execute("SELECT [" + ", ".join(order.statement(str(seq)) for seq in held) + "]").fetchone()[0]
    assert back == [s for s, _ in pairs]
