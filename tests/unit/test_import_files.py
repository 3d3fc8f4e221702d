"""Reading input files robustly: BOM, quoted newlines, delimiters, encodings, empty files."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopops.errors import ImportValidationError, InputError
from shopops.ingest import IMPORTERS, import_file
from shopops.ingest.fields import parse_datetime, parse_decimal
from shopops.ingest.tables import read_table
from shopops.ingest.text import guess_language, html_to_text, slugify
from shopops.store.db import Database


def test_bom_quoted_newlines_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes('\ufeffsku,note\r\nA,"line one\r\nline two"\r\n\r\nB,"say ""hi"""\r\n'.encode())
    table = read_table(path)
    assert table.headers == ["sku", "note"]
    assert [(r.number, r.values["note"]) for r in table.rows] == [
        (2, "line one\r\nline two"),
        (4, 'say "hi"'),
    ]


def test_semicolons_and_utf16(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("sku;units\nA;1,5\n", encoding="utf-8")
    assert read_table(path).rows[0].values == {"sku": "A", "units": "1,5"}
    path.write_text("sku\tunits\nA\t2\n", encoding="utf-16")
    assert read_table(path).rows[0].values == {"sku": "A", "units": "2"}


def test_encoding_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(b"sku,title\nA,ok\nB," + "蓝牙耳机".encode("gbk") + b"\n")
    with pytest.raises(InputError, match=r"gbk.csv: not valid UTF-8 text \(line 3") as caught:
        read_table(path)
    assert "iconv" in str(caught.value)


def test_empty_and_header_only_files(db: Database, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("\n")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        import_file(db, "sales", empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("sku,date,units\n")
    report = import_file(db, "sales", header_only)
    assert report.rows == 0 and report.created == 0


def test_malformed_rows(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("sku,date,units\nA,2024-05-01,1,surplus\n")
    with pytest.raises(ImportValidationError, match="value\\(s\\) beyond the last column"):
        import_file(db, "sales", path)
    json_path = tmp_path / "bad.jsonl"
    json_path.write_text('{"sku": "A"}\n{"sku": \n')
    with pytest.raises(InputError, match=r"bad\.jsonl: line 2 is not valid JSON"):
        import_file(db, "sales", json_path)
    with pytest.raises(InputError, match=r"unsupported file type '\.xlsx'"):
        (tmp_path / "x.xlsx").write_bytes(b"PK")
        import_file(db, "sales", tmp_path / "x.xlsx")
    with pytest.raises(InputError, match="unknown import kind 'widgets'"):
        import_file(db, "widgets", path)


def test_registry_holds_every_kind() -> None:
    assert set(IMPORTERS) == {"products", "orders", "reviews", "sales", "inventory", "customers", "knowledge"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("₹1,099", "1099"),
        ("₹1,39,900", "139900"),
        ("$1,234.50", "1234.50"),
        ("19,99 €", "19.99"),
        ("1.234,5", "1234.5"),
        ("USD 12", "12"),
    ],
)
def test_parse_decimal(text: str, value: str) -> None:
    assert str(parse_decimal(text)) == value


def test_parse_datetime_and_text_helpers() -> None:
    assert parse_datetime("2024-05-01T13:45:00Z").isoformat() == "2024-05-01T13:45:00"
    assert parse_datetime("2024-05-01 09:00:00 -0400").isoformat() == "2024-05-01T13:00:00"
    with pytest.raises(ValueError, match="not a date/time"):
        parse_datetime("01/05/2024")
    assert slugify("蓝牙耳机 Pro!") == "蓝牙耳机-pro"
    assert guess_language("蓝牙降噪耳机 Pro") == "zh" and guess_language("Great tee") == "en"
    assert (
        html_to_text("<h3>Care</h3><p>Wash&nbsp;cold.<br>Dry flat.</p>")
        == "### Care\n\nWash cold.\nDry flat."
    )


def test_directory_of_tabular_files_is_one_transaction(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "sales"
    folder.mkdir()
    (folder / "may.csv").write_text("sku,date,units\nA,2024-05-01,1\nA,2024-05-02,x\n")
    (folder / "june.jsonl").write_text('{"sku": "A", "date": "2024-06-01", "units": "-2"}\n')
    (folder / "readme.md").write_text("not sales\n")
    with pytest.raises(ImportValidationError) as caught:
        import_file(db, "sales", folder)
    assert sorted(e.field for e in caught.value.errors) == ["june.jsonl: units", "may.csv: units"]
    rejects = tmp_path / "rejects"
    report = import_file(db, "sales", folder, skip_invalid=True, rejects_path=rejects)
    assert (report.files, report.created, report.rejected) == (2, 1, 2)
    assert sorted(p.name for p in rejects.iterdir()) == ["june.rejects.jsonl", "may.rejects.csv"]
    (folder / "june.jsonl").write_text('{"sku": "A", "date": "2024-06-01", "units": 2}\n')
    (folder / "may.csv").write_text("sku,date,units\nA,2024-05-01,1\n")
    assert import_file(db, "sales", folder).created == 1
