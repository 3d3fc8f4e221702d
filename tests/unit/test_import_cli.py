"""``shopops import ...``: the CLI adapter over import_file."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopops.cli.import_cmd import parse_mapping
from shopops.cli.main import run
from shopops.config import Settings
from shopops.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def shopops(settings: Settings, *args: str) -> int:
    try:
        run(["--data-dir", str(settings.data_dir), "--database-url", settings.database_url or "", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_import_products_prints_a_summary(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert shopops(settings, "import", "products", str(FIXTURES / "shopify_products.csv")) == 0
    out = capsys.readouterr().out
    assert "products" in out and "variants" in out and "11" in out
    # the search index followed the import: every imported product embedded once
    assert "search index:" in out and "0 unchanged" in out
    assert shopops(settings, "import", "products", str(FIXTURES / "shopify_products.csv")) == 0
    assert "search index:" not in capsys.readouterr().out  # nothing changed, nothing to embed


def test_generic_mapping_flags_and_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "map.toml"
    mapping.write_text('title = "product_name"\nprice = "retail_price"\n')
    args = ["import", "products", str(FIXTURES / "generic_products.csv"), "--mapping", str(mapping)]
    assert shopops(settings, *args, "--map", "vendor=brand", "--format", "generic") == 0
    assert "generic" in capsys.readouterr().out


def test_invalid_rows_exit_1_with_the_rows_listed(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text("sku,date,units\nA,2024-05-01,many\n")
    assert shopops(settings, "import", "sales", str(path)) == 1
    err = capsys.readouterr().err
    assert "row 2, field 'units': not a number" in err and "--skip-invalid" in err
    assert (
        shopops(
            settings, "import", "sales", str(path), "--skip-invalid", "--rejects", str(tmp_path / "r.csv")
        )
        == 0
    )
    assert "1 row(s) rejected" in capsys.readouterr().out and (tmp_path / "r.csv").is_file()


def test_knowledge_directory(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert shopops(settings, "import", "knowledge", str(FIXTURES / "knowledge")) == 0
    assert "knowledge_documents" in capsys.readouterr().out


def test_parse_mapping() -> None:
    assert parse_mapping(["title=name", " price = cost "], None) == {"title": "name", "price": "cost"}
    assert parse_mapping([], None) is None
    with pytest.raises(InputError, match="expected FIELD=COLUMN"):
        parse_mapping(["title"], None)
