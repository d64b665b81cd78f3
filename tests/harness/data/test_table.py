"""Reading data files: rows, the worker's share, and a one-line error for each bad input."""

import pytest

from harness.data import spec as spec_module
from harness.data import table as table_module
from harness.data.errors import DataFileError
from harness.data.spec import DataSpec
from harness.data.table import load_table, table_from_rows
from harness.errors import EXIT_INPUT


def spec_for(path, mode="unique"):
    data_format = "csv" if path.suffix == ".csv" else "jsonl"
    return DataSpec(name="d", path=path, shown=path.name, format=data_format, mode=mode, on_exhausted="fail")


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_are_dicts_of_strings_quotes_and_unicode_included(tmp_path):
    path = write(tmp_path, "a.csv", 'id,name\n1,"Smith, Jo"\n2,"two\nlines"\n\n3,Zoë\n')
    table = load_table(spec_for(path))
    assert len(table) == table.total_rows == 3
    assert [table.row(i) for i in range(3)] == [{"id": "1", "name": "Smith, Jo"}, {"id": "2", "name": "two\nlines"},
                                                 {"id": "3", "name": "Zoë"}]
    assert table.row(0) is not table.row(0)  # a fresh dict each time: the shared table cannot be edited


def test_jsonl_rows_are_the_objects(tmp_path):
    path = write(tmp_path, "a.jsonl", '{"id": 1, "tags": ["x"]}\n\n{"id": 2}\n')
    table = load_table(spec_for(path))
    assert [table.row(0), table.row(1)] == [{"id": 1, "tags": ["x"]}, {"id": 2}]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_workers_take_rows_i_with_i_mod_n_equal_k_and_together_every_row_once(tmp_path, count):
    path = write(tmp_path, "a.csv", "id\n" + "".join(f"{i}\n" for i in range(10)))
    seen = []
    for index in range(count):
        table = load_table(spec_for(path), worker_index=index, worker_count=count)
        ids = [int(table.row(i)["id"]) for i in range(len(table))]
        assert all(i % count == index for i in ids) and ids == sorted(ids)
        seen += ids
    assert sorted(seen) == list(range(10))


@pytest.mark.parametrize(("name", "text", "message"), [
    ("a.csv", "id,name\n1,a\n2,b,c\n", "a.csv: line 3: has 3 field(s), but the header has 2"),
    ("a.csv", "id,name\n1\n", "a.csv: line 2: has 1 field(s), but the header has 2"),
    ("a.csv", 'id\n1\n"open\n', "a.csv: line 3: unexpected end of data"),
    ("a.csv", "id,id\n1,2\n", "a.csv: line 1: the header repeats the column 'id'"),
    ("a.csv", "id,\n1,2\n", "a.csv: line 1: the header has an empty column name"),
    ("a.csv", "", "a.csv: line 1: must be a header of column names, but is empty"),
    ("a.csv", "id\n", "a.csv: has no rows"),
    ("a.csv", "id\n1\x1f2\n", "a.csv: line 2: contains the control character \\x1f"),
    ("a.jsonl", '{"a": 1}\n{"a": \n', "a.jsonl: line 2: is not JSON (Expecting value at column 6)"),
    ("a.jsonl", '{"a": 1}\n[1, 2]\n', "a.jsonl: line 2: must be a JSON object, but is list"),
])
def test_a_bad_row_is_one_line_naming_file_and_line(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(DataFileError) as caught:
        load_table(spec_for(path))
    assert str(caught.value) == message and "\n" not in str(caught.value)
    assert caught.value.exit_code == EXIT_INPUT


def test_bytes_that_are_not_utf8_are_named_by_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"id\n1\n\xff\n")
    with pytest.raises(DataFileError, match=r"^a.csv: line 3: is not UTF-8 text$"):
        load_table(spec_for(path))


def test_line_row_and_size_bounds(tmp_path, monkeypatch):
    long_line = write(tmp_path, "long.csv", "id\n" + "x" * (spec_module.MAX_LINE_BYTES + 1) + "\n")
    with pytest.raises(DataFileError, match=r"^long.csv: line 2: is longer than 64 KiB$"):
        load_table(spec_for(long_line))
    long_json = write(tmp_path, "long.jsonl", '{"a": "' + "x" * spec_module.MAX_LINE_BYTES + '"}\n')
    with pytest.raises(DataFileError, match=r"^long.jsonl: line 1: is longer than 64 KiB$"):
        load_table(spec_for(long_json))
    many = write(tmp_path, "many.csv", "id\n1\n2\n3\n4\n")
    monkeypatch.setattr(table_module, "MAX_ROWS", 3)  # the bound itself, not a 10M-row file
    with pytest.raises(DataFileError, match=r"^many.csv: line 5: more than 3 rows$"):
        load_table(spec_for(many))
    monkeypatch.setattr(table_module, "MAX_FILE_BYTES", 4)
    with pytest.raises(DataFileError, match=r"^many.csv: is larger than 0 MiB$"):
        load_table(spec_for(many))


def test_in_memory_rows_split_like_a_file():
    rows = [{"k": str(i)} for i in range(5)]
    share = table_from_rows("keys", rows, worker_index=1, worker_count=2)
    assert [share.row(i) for i in range(len(share))] == [{"k": "1"}, {"k": "3"}]
