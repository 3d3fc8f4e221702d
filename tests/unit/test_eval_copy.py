"""``shopops eval copy``: input validation, the contract's JSON, ``--out`` lines, zh scoring, baselines.

Most tests drive the harness with small local work functions, so they check the harness itself;
the end-to-end tests run the real writer, checker and baselines on FakeLLM.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from typer.testing import CliRunner

from shopops.cli import eval_cmd
from shopops.cli.main import app, run
from shopops.copy.types import CopyKind, Flag
from shopops.errors import InputError, StructuredOutputError
from shopops.evals.baselines import RAW_PROMPT, template_description
from shopops.evals.copy_eval import EvalItem, ItemOutput, evaluate_copy, item_facts, read_eval_file, summarize

CONTRACT = {
    "n": int,
    "rouge_l": float,
    "bleu": float,
    "unsupported_claim_rate": float,
    "compliance_violations": int,
    "refusals": int,
    "items_per_second": float,
}
PRODUCTS = [
    {
        "id": "cable-1",
        "title": "Braided USB-C cable, 1 m, grey",
        "category": "Electronics|Cables|USBCables",
        "price": "₹399",
        "list_price": 1099,
        "attributes": {"colour": "grey", "length": "1 m"},
        "reference": "A grey braided cable, one metre long, for fast charging.",
    },
    {
        "id": "mug-2",
        "title": "Stoneware mug 350 ml",
        "price": 12.5,
        "description": "Hand-glazed stoneware mug.",
        "reference": "A hand-glazed stoneware mug that holds 350 ml.",
    },
    {"id": 3, "title": "Linen shirt", "attributes": {"material": "linen", "sizes": ["S", "M"]}},
]


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), "utf-8")
    return path


def echo_work(item: EvalItem) -> ItemOutput:
    """Writes the reference back (or the title); flags chosen per id to exercise every count."""
    flags = {
        "cable-1": [Flag(kind="unsupported", message="'steel' is not in the record", claim="steel")],
        "mug-2": [
            Flag(kind="compliance", message="banned", rule="ads.absolute"),
            Flag(kind="compliance", message="banned", rule="ads.medical"),
            Flag(kind="prompt_echo", message="repeats the instructions"),
        ],
    }.get(item.id, [])
    return ItemOutput(text=item.reference or item.record["title"], flags=flags)


def test_read_eval_file_accepts_what_the_contract_allows(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [PRODUCTS[0], "", PRODUCTS[1], {**PRODUCTS[2], "extra": [1]}])
    items = read_eval_file(path)
    assert [(i.id, i.line) for i in items] == [("cable-1", 1), ("mug-2", 3), ("3", 4)]
    assert items[0].record["price"] == "₹399"  # kept as written: the facts read its currency
    assert items[2].record["attributes"] == {"material": "linen", "sizes": "S, M"}
    assert items[2].reference is None
    facts = item_facts(items[0])
    assert (facts.price, facts.list_price, facts.currency, facts.category) == (
        399.0,
        1099.0,
        "INR",
        "USBCables",
    )
    assert [i.id for i in read_eval_file(path, limit=2)] == ["cable-1", "mug-2"]


def test_bad_lines_are_named_by_file_line_and_field(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            PRODUCTS[0],
            {"id": "p2", "title": "Mug", "price": "about ten"},
            {"id": "p3", "title": "Mug", "attributes": ["grey"]},
            {"title": "no id here"},
            '{"id": "p5", "title": ',
            {"id": "p6", "category": "Mugs"},
            {"id": "p7", "title": "Mug", "reference": 42},
            {"id": "cable-1", "title": "again"},
        ],
    )
    with pytest.raises(InputError) as caught:
        read_eval_file(path)
    message = str(caught.value)
    assert "7 invalid line(s)" in message
    for expected in (
        f"{path}:2: field 'price' is not a price",
        f"{path}:3: field 'attributes' must be an object",
        f"{path}:4: field 'id' is required",
        f"{path}:5: not valid JSON",
        f"{path}:6: field 'title' is missing",
        f"{path}:7: field 'reference' must be a string",
        f"{path}:8: field 'id' 'cable-1' repeats line 1",
    ):
        assert expected in message
    with pytest.raises(InputError, match="no such file"):
        read_eval_file(tmp_path / "missing.jsonl")


def test_evaluate_copy_counts_and_out_lines(tmp_path: Path) -> None:
    items = read_eval_file(write_jsonl(tmp_path / "in.jsonl", PRODUCTS))
    out = tmp_path / "out.jsonl"
    report, outputs = evaluate_copy(items, echo_work, lang="en", out=out)
    assert report.n == 3
    assert report.rouge_l == 1.0  # the two referenced items were written back word for word
    assert report.bleu == pytest.approx(100.0)
    assert report.unsupported_claim_rate == pytest.approx(1 / 3, abs=1e-4)
    assert report.compliance_violations == 2
    assert report.refusals == 1
    assert report.items_per_second > 0
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [set(line) for line in lines] == [{"id", "text", "flags"}] * 3
    assert [line["id"] for line in lines] == ["cable-1", "mug-2", "3"]
    assert lines[2]["text"] == "Linen shirt" and lines[2]["flags"] == []
    assert lines[0]["flags"][0]["kind"] == "unsupported" and lines[0]["flags"][0]["claim"] == "steel"
    assert len(outputs) == 3


def test_no_reference_means_no_overlap_scores(tmp_path: Path) -> None:
    items = read_eval_file(write_jsonl(tmp_path / "in.jsonl", [PRODUCTS[2]]))
    report, _ = evaluate_copy(items, echo_work, lang="en")
    assert (report.n, report.rouge_l, report.bleu) == (1, None, None)


def test_a_failed_generation_counts_as_a_refusal(tmp_path: Path) -> None:
    items = read_eval_file(write_jsonl(tmp_path / "in.jsonl", PRODUCTS[:2]))

    def flaky(item: EvalItem) -> ItemOutput:
        if item.id == "mug-2":
            raise StructuredOutputError("copy.description: no valid DescriptionOutput after 3 attempt(s)")
        return ItemOutput(text=item.reference or "")

    report, outputs = evaluate_copy(items, flaky, lang="en")
    assert report.refusals == 1
    assert outputs[1].text == "" and outputs[1].flags[0].kind == "refusal"
    assert report.rouge_l == pytest.approx(0.5)  # one perfect item, one empty


def test_chinese_is_scored_by_character() -> None:
    items = [EvalItem("z1", 1, {"id": "z1", "title": "杯子"}, reference="蓝色杯子")]
    zh = summarize(items, [ItemOutput("红色杯子")], lang="zh", seconds=1.0)
    en = summarize(items, [ItemOutput("红色杯子")], lang="en", seconds=1.0)
    assert zh.rouge_l == pytest.approx(0.75)
    assert en.rouge_l == 0.0
    assert zh.bleu is not None and en.bleu is not None and zh.bleu > en.bleu
    assert zh.items_per_second == 1.0


def cli(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--data-dir", str(tmp_path / "data"), "--llm-backend", "fake", *args])


def test_cli_json_is_exactly_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_system(system: str, **options: Any) -> Any:
        seen.update(options, system=system)
        return echo_work

    monkeypatch.setattr(eval_cmd, "work_for_system", fake_system)
    path = write_jsonl(tmp_path / "in.jsonl", PRODUCTS)
    out = tmp_path / "out.jsonl"
    result = cli(tmp_path, "eval", "copy", str(path), "--out", str(out), "--limit", "2", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)  # stdout holds the JSON object and nothing else
    assert set(payload) == set(CONTRACT)
    for key, kind in CONTRACT.items():
        assert isinstance(payload[key], kind), (key, payload[key])
    assert payload["n"] == 2 and payload["refusals"] == 1
    assert len(out.read_text("utf-8").splitlines()) == 2
    assert (seen["system"], seen["kind"], seen["lang"]) == ("shopops", CopyKind.DESCRIPTION, "en")

    table = cli(tmp_path, "eval", "copy", str(path), "--kind", "title", "--lang", "zh")
    assert table.exit_code == 0, table.output
    assert "unsupported_claim_rate" in table.stdout and "eval copy" in table.stdout
    assert (seen["kind"], seen["lang"]) == (CopyKind.TITLE, "zh")


def test_cli_bad_input_exits_1_naming_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [PRODUCTS[0], {"id": "x", "title": "Mug", "attributes": "red"}])
    root = ["--data-dir", str(tmp_path / "data"), "--llm-backend", "fake"]
    with pytest.raises(SystemExit) as exited:
        run([*root, "eval", "copy", str(path), "--json"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}:2: field 'attributes' must be an object" in captured.err
    for option, value in (("--kind", "poem"), ("--system", "gpt"), ("--lang", "xx")):
        with pytest.raises(SystemExit):
            run([*root, "eval", "copy", str(path), option, value])
        assert f"{option} '{value}' is not supported" in capsys.readouterr().err


@pytest.mark.parametrize("system", ["shopops", "template", "raw-prompt"])
def test_cli_end_to_end_on_fake_llm(tmp_path: Path, system: str) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", PRODUCTS)
    out = tmp_path / "out.jsonl"
    result = cli(tmp_path, "eval", "copy", str(path), "--system", system, "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == set(CONTRACT) and payload["n"] == 3
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert all(line["text"].strip() for line in lines)
    assert not (tmp_path / "data" / "shopops.db").exists()  # the evaluation never opens the store


def test_template_baseline_only_restates_the_record() -> None:
    item = EvalItem("mug", 1, {"id": "mug", "title": "Stoneware mug", "price": 12.5, "category": "Mugs"})
    facts = item_facts(item).model_copy(update={"attributes": {"capacity": "350 ml"}, "currency": "USD"})
    text = template_description(facts)
    assert text == "Stoneware mug. Category: Mugs. Capacity: 350 ml. Price: 12.50 USD."
    zh = template_description(facts, language="zh")
    assert zh.startswith("Stoneware mug。类别：Mugs。") and "价格：12.50 USD。" in zh
    assert RAW_PROMPT.format(title="Stoneware mug") == "write a product description for: Stoneware mug"


def load_builder() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "scripts" / "build_copy_eval_set.py"
    spec = importlib.util.spec_from_file_location("build_copy_eval_set", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_copy_eval_set_on_the_shared_catalog(shared_data: Path, tmp_path: Path) -> None:
    builder = load_builder()
    csv_path = shared_data / "catalog" / "amazon_india_dev.csv"
    every = builder.build(csv_path)
    assert len(every) == len({line["id"] for line in every}) > 500  # one line per product
    sample = builder.build(csv_path, limit=25, seed=3)
    assert sample == builder.build(csv_path, limit=25, seed=3) != builder.build(csv_path, limit=25, seed=4)
    out = tmp_path / "copy.jsonl"
    builder.write_jsonl(sample, out)
    items = read_eval_file(out)  # the harness accepts every line
    assert len(items) == 25
    for item in items:
        assert item.reference and "|" not in item.reference
        assert "|" not in item.record["category"]
        facts = item_facts(item)
        assert facts.currency == "INR" and facts.price is not None and facts.title
