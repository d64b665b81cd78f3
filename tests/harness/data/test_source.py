"""Handing rows out by mode, on small in-memory tables (split across workers like files)."""

import pytest

from harness.data import DataExhausted, DataSets, DataSource, UnknownDataError, table_from_rows


def source(mode, rows=5, *, worker_index=0, worker_count=1, on_exhausted=None, seed=0):
    table = table_from_rows("d", [{"i": str(i)} for i in range(rows)], worker_index=worker_index,
                            worker_count=worker_count)
    return DataSource(table, mode=mode, on_exhausted=on_exhausted, seed=seed, worker_index=worker_index,
                      worker_count=worker_count)


def ids(rows):
    return [int(row["i"]) for row in rows]


def test_unique_hands_each_row_once_in_order_then_runs_out():
    rows = source("unique", on_exhausted="stop")
    assert ids(rows.for_iteration() for _ in range(5)) == [0, 1, 2, 3, 4]
    with pytest.raises(DataExhausted) as caught:
        rows.for_iteration()
    assert (caught.value.name, caught.value.rows, caught.value.on_exhausted) == ("d", 5, "stop")


def test_unique_across_workers_uses_every_row_exactly_once():
    used = []
    for index in range(3):
        rows = source("unique", rows=10, worker_index=index, worker_count=3)
        while True:
            try:
                used.append(int(rows.for_iteration()["i"]))
            except DataExhausted:
                break
    assert sorted(used) == list(range(10))


def test_a_worker_with_no_share_runs_out_at_once():
    with pytest.raises(DataExhausted):
        source("unique", rows=1, worker_index=1, worker_count=2).for_iteration()


def test_sequential_cycles_in_order():
    rows = source("sequential", rows=3)
    assert ids(rows.for_iteration() for _ in range(7)) == [0, 1, 2, 0, 1, 2, 0]


def test_random_is_reproducible_by_seed_and_worker():
    def draw(seed, worker_index=0):
        rows = source("random", rows=100, seed=seed, worker_index=worker_index, worker_count=2)
        return ids(rows.for_iteration() for _ in range(20))

    assert draw(7) == draw(7) != draw(8)
    assert draw(7) != draw(7, worker_index=1)
    assert all(i % 2 == 1 for i in draw(7, worker_index=1))  # drawn from the worker's own share
    assert len(set(draw(7))) > 5


def test_per_vu_gives_each_global_vu_id_its_row():
    # VU ids are numbered across workers (id % N == worker index): worker 1 of 2 holds rows 1, 3, 5, 7
    rows = source("per-vu", rows=8, worker_index=1, worker_count=2, on_exhausted="fail")
    assert ids([rows.for_vu(1), rows.for_vu(3), rows.for_vu(7), rows.for_vu(3)]) == [1, 3, 7, 3]
    with pytest.raises(DataExhausted):
        rows.for_vu(9)  # a 10th VU: more VUs than rows


def test_per_vu_with_cycle_wraps_around():
    rows = source("per-vu", rows=3, on_exhausted="cycle")
    assert ids(rows.for_vu(v) for v in range(7)) == [0, 1, 2, 0, 1, 2, 0]


def test_modes_do_not_mix_and_unknown_names_are_named():
    with pytest.raises(ValueError, match="hands rows to VUs"):
        source("per-vu").for_iteration()
    data = DataSets({"agents": source("unique")})
    with pytest.raises(UnknownDataError, match=r"vu.row\('agnets'\): the plan's data has no data set 'agnets' \(has: agents\)"):
        data.source("agnets")
