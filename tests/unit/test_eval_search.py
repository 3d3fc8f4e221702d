"""``shopops eval search``: the ranking metrics, line and catalog validation, both modes on
HashEmbedder, and the command's JSON object."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from shopops.cli.eval_search_cmd import search
from shopops.config import Settings
from shopops.context import AppContext
from shopops.embed.hashing import HashEmbedder
from shopops.errors import InputError
from shopops.evals.search_eval import (
    check_mode,
    check_relevant_ids,
    evaluate_candidates,
    evaluate_catalog,
    hit_at_k,
    load_catalog,
    ndcg_at_k,
    read_search_file,
    reciprocal_rank,
)

CONTRACT_KEYS = ["n", "mrr", "hit_at_1", "ndcg_at_10", "p50_ms", "mode", "embed_model", "catalog", "products"]
QUERIES: list[dict[str, Any]] = [
    {
        "id": "bottle",
        "query": "insulated steel water bottle",
        "candidates": [
            "USB charging cable, braided nylon, 1 metre",
            "Wireless earbuds with charging case",
            "Insulated stainless steel water bottle, 750 ml",
            "Cotton bath towel set",
        ],
        "relevant": [2],
    },
    {
        "id": 7,
        "query": "braided charging cable",
        "candidates": [
            "Ceramic coffee mug",
            "Braided USB-C charging cable 2 m",
            "Yoga mat, non-slip",
        ],
        "relevant": [1],
    },
]
CATALOG_CSV = """product_id,product_name,category,discounted_price,about_product
B01,Insulated Steel Water Bottle 750ml,Home&Kitchen|Kitchen|Bottles,"₹1,099",Keeps drinks cold for 24 hours.
B02,Braided USB Charging Cable,Computers&Accessories|Cables,₹399,Fast charging and data sync.
B01,Insulated Steel Water Bottle 750ml,Home&Kitchen|Kitchen|Bottles,"₹1,099",A second review row.
B03,Noise Cancelling Wireless Earbuds,Electronics|Headphones,"₹2,499",Bluetooth 5.3 with a charging case.
B04,Cotton Bath Towel Set,Home&Kitchen|Bath,₹799,Soft and absorbent towels.
"""


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8")
    return path


def write_catalog(tmp_path: Path, text: str = CATALOG_CSV) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(text, "utf-8")
    return path


# -- metrics ---------------------------------------------------------------------------------------


def test_reciprocal_rank_and_hit_at_k_on_hand_made_rankings() -> None:
    assert reciprocal_rank([5, 3, 7], {7}) == pytest.approx(1 / 3)
    assert reciprocal_rank([5, 3, 7], {3, 7}) == pytest.approx(1 / 2)  # the first relevant counts
    assert reciprocal_rank([5, 3], {9}) == 0.0
    assert reciprocal_rank([], {1}) == 0.0
    assert hit_at_k([4, 1], {4}, 1) == 1.0 and hit_at_k([1, 4], {4}, 1) == 0.0
    assert hit_at_k([1, 4], {4}, 2) == 1.0


def test_ndcg_binary_gains_with_the_ideal_capped_at_k() -> None:
    dcg = 1 / math.log2(3) + 1 / math.log2(4)  # relevant at ranks 2 and 3
    ideal = 1 + 1 / math.log2(3)  # two relevant items at ranks 1 and 2
    assert ndcg_at_k(["a", "b", "c"], {"b", "c"}) == pytest.approx(dcg / ideal)  # 0.6934
    assert ndcg_at_k(["b", "c", "a"], {"b", "c"}) == pytest.approx(1.0)
    assert ndcg_at_k(["a"], {"z"}) == 0.0
    twelve = set(range(12))
    assert ndcg_at_k(list(range(10)), twelve, 10) == pytest.approx(1.0)  # ideal counts 10, not 12
    assert ndcg_at_k(["x", "a"], {"a"}, k=1) == 0.0  # beyond k does not count


# -- candidates mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bm25", "hybrid", "vector"])
def test_the_candidate_sharing_the_querys_words_ranks_first(tmp_path: Path, mode: str) -> None:
    items = read_search_file(write_jsonl(tmp_path / "q.jsonl", QUERIES))
    assert [item.id for item in items] == ["bottle", "7"]
    report, results = evaluate_candidates(items, HashEmbedder(), mode=check_mode(mode))
    assert [r.ranked[0] for r in results] == [2, 1]
    assert report.n == 2 and report.mrr == 1.0 and report.hit_at_1 == 1.0 and report.ndcg_at_10 == 1.0
    assert report.p50_ms > 0 and report.mode == mode
    assert report.embed_model == (None if mode == "bm25" else HashEmbedder().model)
    assert report.catalog is None and report.products is None
    if mode != "bm25":  # the vector list places every candidate
        assert all(len(r.ranked) == len(item.candidates) for r, item in zip(results, items, strict=True))


def test_a_relevant_candidate_bm25_cannot_place_counts_as_not_found(tmp_path: Path) -> None:
    line = {"id": "x", "query": "water bottle", "candidates": ["water bottle", "yoga mat"], "relevant": [1]}
    items = read_search_file(write_jsonl(tmp_path / "q.jsonl", [line]))
    report, results = evaluate_candidates(items, HashEmbedder(), mode="bm25")
    assert results[0].ranked == (0,)
    assert report.mrr == 0.0 and report.hit_at_1 == 0.0 and report.ndcg_at_10 == 0.0


def test_bad_lines_are_all_reported_with_file_line_and_field(tmp_path: Path) -> None:
    good = QUERIES[0]
    path = write_jsonl(
        tmp_path / "q.jsonl",
        [
            good,
            {"id": "a", "candidates": ["x"], "relevant": [0]},
            {"id": "b", "query": "mug", "candidates": ["mug", "cup"], "relevant": [2]},
            {"id": "c", "query": "mug", "candidates": [], "relevant": [0]},
            {**good},  # repeats the id of line 1
            {"id": "d", "query": "mug", "candidates": ["mug", 17], "relevant": [0]},
            {"id": "e", "query": "mug", "candidates": ["mug"], "relevant": [0, 0]},
            "{not json",
        ],
    )
    with pytest.raises(InputError) as raised:
        read_search_file(path)
    message = str(raised.value)
    assert "7 invalid line(s)" in message and "nothing was evaluated" in message
    assert f"{path}:2: field 'query' is required" in message
    assert f"{path}:3: field 'relevant' index 2 is out of range: 2 candidates (0..1)" in message
    assert f"{path}:4: field 'candidates' is required: a non-empty list" in message
    assert f"{path}:5: field 'id' 'bottle' repeats line 1" in message
    assert f"{path}:6: field 'candidates' item 1 is a product id (17); ids need --catalog" in message
    assert f"{path}:7: field 'relevant' lists an index twice" in message
    assert f"{path}:8: not valid JSON" in message


def test_limit_and_an_unknown_mode(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "q.jsonl", [*QUERIES, {"id": "late", "query": "x"}])
    assert [item.id for item in read_search_file(path, limit=2)] == ["bottle", "7"]  # line 3 never read
    with pytest.raises(InputError, match="--mode 'dense' is not supported"):
        check_mode("dense")


# -- catalog mode ----------------------------------------------------------------------------------


def test_catalog_reads_prices_dedupes_ids_and_ranks_the_relevant_product(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))
    assert [doc.handle for doc in catalog.docs] == ["B01", "B02", "B03", "B04"]  # B01 once: its first row
    assert catalog.docs[0].min_price == 1099.0 and catalog.docs[2].max_price == 2499.0
    assert catalog.docs[0].description == "Keeps drinks cold for 24 hours."
    assert catalog.docs[0].category == "Home&Kitchen|Kitchen|Bottles"
    assert catalog.row_of == {"B01": 0, "B02": 1, "B03": 2, "B04": 3}
    lines = [
        {"id": 1, "query": "steel bottle for cold drinks", "relevant": ["B01"]},
        {"id": 2, "query": "usb cable", "relevant": ["B02", "B03"], "candidates": ["ignored"]},
    ]
    queries = write_jsonl(tmp_path / "q.jsonl", lines)
    items = read_search_file(queries, catalog_mode=True)
    check_relevant_ids(items, catalog, queries)
    for mode in ("bm25", "hybrid"):
        report, results = evaluate_catalog(items, catalog, HashEmbedder(), mode=check_mode(mode))
        assert results[0].ranked[0] == 0 and results[1].ranked[0] == 1
        assert report.n == 2 and report.mrr == 1.0 and report.hit_at_1 == 1.0
        assert 0 < report.ndcg_at_10 <= 1.0
        assert report.catalog == str(tmp_path / "catalog.csv") and report.products == 4


def test_unknown_relevant_ids_are_listed_before_anything_runs(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path))
    queries = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"id": 1, "query": "bottle", "relevant": ["B01"]},
            {"id": 2, "query": "phone", "relevant": ["B01", "NOPE", 42]},
        ],
    )
    items = read_search_file(queries, catalog_mode=True)
    with pytest.raises(InputError) as raised:
        check_relevant_ids(items, catalog, queries)
    message = str(raised.value)
    assert f"{queries}:2: field 'relevant': unknown product id(s) 'NOPE', '42'" in message
    assert f"{queries}:1:" not in message and "nothing was evaluated" in message


def test_catalog_rows_with_problems_name_the_row_and_the_column(tmp_path: Path) -> None:
    bad = (
        "id,title,price\n"
        "A1,Good product,₹10\n"
        "A2,,₹20\n"  # no title
        "A3,Priced oddly,ten rupees\n"
        ",No id,5\n"
    )
    with pytest.raises(InputError) as raised:
        load_catalog(write_catalog(tmp_path, bad))
    message = str(raised.value)
    assert "row 3, field 'title': required" in message
    assert "row 4, field 'price': not a number" in message
    assert "row 5, field 'id': required" in message
    assert "nothing was evaluated" in message
    with pytest.raises(InputError, match="no column for 'title'"):
        load_catalog(write_catalog(tmp_path, "id,price\nA1,3\n"))


def test_catalog_as_jsonl_with_integer_ids(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    rows = [{"id": 10, "name": "Bamboo cutting board", "price": 12.5}, {"id": 11, "name": "Chef knife"}]
    write_jsonl(path, rows)
    catalog = load_catalog(path)
    assert catalog.row_of == {"10": 0, "11": 1} and catalog.docs[0].min_price == 12.5
    queries = write_jsonl(tmp_path / "q.jsonl", [{"id": "k", "query": "knife", "relevant": [11]}])
    items = read_search_file(queries, catalog_mode=True)
    check_relevant_ids(items, catalog, queries)
    report, _ = evaluate_catalog(items, catalog, HashEmbedder(), mode="vector")
    assert report.hit_at_1 == 1.0 and report.products == 2


# -- the command -----------------------------------------------------------------------------------


def cli_app(tmp_path: Path) -> typer.Typer:
    """The command on a fresh app whose root callback builds the context as ``shopops`` does."""
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = AppContext(Settings(data_dir=tmp_path / "data", embed_backend="hash"))

    eval_app = typer.Typer()
    eval_app.command("search")(search)
    app.add_typer(eval_app, name="eval")
    return app


def test_cli_json_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", QUERIES)
    result = CliRunner().invoke(cli_app(tmp_path), ["eval", "search", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # stdout holds the JSON object and nothing else
    assert list(payload) == CONTRACT_KEYS
    assert payload["n"] == 2 and payload["mrr"] == 1.0 and payload["mode"] == "hybrid"
    assert payload["embed_model"] == HashEmbedder().model and payload["catalog"] is None

    catalog = write_catalog(tmp_path)
    line = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "query": "bath towel", "relevant": ["B04"]}])
    args = ["eval", "search", str(line), "--catalog", str(catalog), "--mode", "bm25", "--json"]
    result = CliRunner().invoke(cli_app(tmp_path), args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert list(payload) == CONTRACT_KEYS
    assert payload["products"] == 4 and payload["catalog"] == str(catalog) and payload["embed_model"] is None
    assert payload["hit_at_1"] == 1.0

    table = CliRunner().invoke(cli_app(tmp_path), ["eval", "search", str(queries), "--quiet"])
    assert table.exit_code == 0, table.output
    assert "eval search: q.jsonl (hybrid)" in table.stdout and "ndcg_at_10" in table.stdout
    assert not (tmp_path / "data" / "shopops.db").exists()  # the evaluation never opens the store


def test_cli_bad_input_raises_before_an_embedder_is_made(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path)
    line = write_jsonl(tmp_path / "c.jsonl", [{"id": 1, "query": "towel", "relevant": ["B99"]}])
    result = CliRunner().invoke(cli_app(tmp_path), ["eval", "search", str(line), "--catalog", str(catalog)])
    assert result.exit_code == 1 and isinstance(result.exception, InputError)
    assert "unknown product id(s) 'B99'" in str(result.exception)
