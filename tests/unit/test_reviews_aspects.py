"""Aspect-based analysis: term matching, the fast polarity model (features, artifact round trip,
the packaged model), the batch path, the LLM path with the fake backend, and ``shopops eval
aspects`` (validation, the contract's JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from shopops.cli.main import app, run
from shopops.errors import InputError
from shopops.evals.aspects_eval import evaluate_aspects, read_aspects_file
from shopops.llm.fake import FakeLLM
from shopops.reviews.aspect_features import features, locate, normalise
from shopops.reviews.aspect_llm import llm_polarity, polarity_messages
from shopops.reviews.aspect_model import AspectPolarityModel, load_aspect_model
from shopops.reviews.aspect_train import AspectExample, fit
from shopops.reviews.aspects import analyze_batch, extract_aspects, find_occurrences
from shopops.reviews.taxonomy import default_taxonomy

TOY = [
    ("The battery is great", "battery", "positive"),
    ("The battery is terrible", "battery", "negative"),
    ("I love the screen", "screen", "positive"),
    ("I hate the screen", "screen", "negative"),
    ("The box says battery inside", "battery", "neutral"),
    ("屏幕很好", "屏幕", "positive"),
    ("屏幕很差", "屏幕", "negative"),
    ("电池很好", "电池", "positive"),
    ("电池很差", "电池", "negative"),
    ("说明书里提到电池", "电池", "neutral"),
]


@pytest.fixture(scope="module")
def toy_model() -> AspectPolarityModel:
    examples = [AspectExample(t, a, p, "") for t, a, p in TOY] * 3
    return fit({"toy": examples})


def test_features_mark_negation_and_split_clauses() -> None:
    feats = features("The screen is great but the battery does not last long.", "battery")
    assert "r:NOT_last" in feats and "c:NOT_last" in feats
    assert not any(f.startswith("c:") and "great" in f for f in feats)  # "great" is the other clause
    assert "s:great" in feats
    zh = features("屏幕很大，但是电池不耐用", "电池")
    assert "r:不耐用" in zh and "c:很大" not in zh
    assert "m:found=False" in features("nothing here", "battery")
    assert locate(normalise("Battery-Life is ok"), "battery life") == (0, 12)


def test_matching_words_plurals_and_chinese_substrings() -> None:
    taxonomy = default_taxonomy("Electronics")
    text = "Batteries died, the screens are nice; benefit aside, the 电池续航 and 屏幕 are ok"
    found = [(o.aspect, o.term) for o in find_occurrences(text, "en", taxonomy)]
    assert ("battery", "Batteries") in found and ("screen", "screens") in found
    assert ("battery", "电池") in found and ("screen", "屏幕") in found
    apparel = default_taxonomy("Apparel")
    assert [o.term for o in find_occurrences("A real benefit, fits well", "en", apparel)] == ["fits"]
    longest = find_occurrences("battery life is short", "en", taxonomy)
    assert [(o.term, o.start, o.end) for o in longest] == [("battery life", 0, 12)]


def test_model_round_trips_through_npz_and_json_without_pickle(
    toy_model: AspectPolarityModel, tmp_path: Path
) -> None:
    arrays, info = toy_model.save(tmp_path)
    assert arrays.name == "aspect-polarity.npz" and info.name == "aspect-polarity.json"
    with np.load(arrays, allow_pickle=False) as data:
        assert set(data.files) == {"columns", "idf", "coef", "intercept"}
    loaded = AspectPolarityModel.load(tmp_path)
    texts, aspects = [t for t, _, _ in TOY], [a for _, a, _ in TOY]
    assert np.allclose(
        loaded.predict_proba(texts, aspects), toy_model.predict_proba(texts, aspects), atol=1e-5
    )
    assert [p for p, _ in loaded.predict(texts, aspects)] == [p for _, _, p in TOY]
    assert loaded.version.startswith("aspect-polarity@")


def test_a_missing_or_foreign_artifact_is_a_clear_error(
    toy_model: AspectPolarityModel, tmp_path: Path
) -> None:
    with pytest.raises(Exception, match="aspect-polarity model is missing"):
        AspectPolarityModel.load(tmp_path)
    _, info = toy_model.save(tmp_path)
    info.write_text(json.dumps({"format": 99, "n_features": 8, "classes": ["positive"]}))
    with pytest.raises(Exception, match="format 99"):
        AspectPolarityModel.load(tmp_path)


def test_extract_aspects_one_mention_per_aspect_with_offsets(toy_model: AspectPolarityModel) -> None:
    text = "The battery is terrible. I love the screen. The battery is terrible again."
    mentions = extract_aspects(text, "en", default_taxonomy("Electronics"), model=toy_model)
    assert [(m.aspect, m.polarity) for m in mentions] == [("battery", "negative"), ("screen", "positive")]
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.term
        assert 0.0 <= mention.confidence <= 1.0


def test_analyze_batch_matches_one_by_one(toy_model: AspectPolarityModel) -> None:
    texts = ["电池很差，屏幕很好", "nothing to see", "I hate the screen"]
    taxonomy = default_taxonomy("手机")
    batch = analyze_batch(texts, ["zh", "en", "en"], taxonomy, model=toy_model)
    one_by_one = [
        extract_aspects(t, lang, taxonomy, model=toy_model)
        for t, lang in zip(texts, ["zh", "en", "en"], strict=True)
    ]
    assert batch == one_by_one
    assert [(m.aspect, m.polarity) for m in batch[0]] == [("battery", "negative"), ("screen", "positive")]
    assert batch[1] == []
    with pytest.raises(ValueError, match="taxonomies"):
        analyze_batch(texts, ["en"] * 3, [taxonomy], model=toy_model)


def test_packaged_model_reads_aspect_level_opinions() -> None:
    model = load_aspect_model()
    assert model.coef.shape[0] == 3 and model.version.startswith("aspect-polarity@")
    taxonomy = default_taxonomy("Electronics")
    mentions = extract_aspects("The screen is great but the battery died after a week.", "en", taxonomy)
    assert {m.aspect: m.polarity for m in mentions} == {"screen": "positive", "battery": "negative"}
    zh = extract_aspects("屏幕很清晰，但是电池不耐用", "zh", taxonomy)
    assert {m.aspect: m.polarity for m in zh} == {
        "screen": "positive",
        "battery": "negative",
        "durability": "negative",  # "不耐用": not durable
    }


def test_llm_path_is_schema_constrained() -> None:
    fake = FakeLLM(['{"polarity": "maybe", "confidence": 2}', '{"polarity": "negative", "confidence": 0.8}'])
    assert llm_polarity(fake, "Battery died in a day.", "battery") == ("negative", 0.8)
    assert len(fake.requests) == 2  # the invalid reply was re-asked
    assert fake.requests[0].json_schema is not None
    assert fake.requests[0].json_schema["properties"]["polarity"]["enum"] == [
        "positive",
        "negative",
        "neutral",
    ]
    long_text = "filler " * 500 + "the battery is bad"
    messages = polarity_messages(long_text, "battery")
    assert "battery is bad" in messages[-1].content and len(messages[-1].content) < 1700  # cut around it
    roles = [m.role for m in messages]
    assert roles[0] == "system" and roles[-1] == "user" and roles.count("assistant") == (len(roles) - 2) // 2


def write_lines(path: Path, rows: list[Any]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n"
    )
    return path


def test_eval_file_errors_name_file_line_and_field(tmp_path: Path) -> None:
    good = {"text": "Great battery", "aspect": "battery", "polarity": "positive", "lang": "en"}
    path = write_lines(
        tmp_path / "bad.jsonl",
        [good, {**good, "polarity": "great"}, {**good, "aspect": ""}, "{not json", {**good, "lang": 3}],
    )
    with pytest.raises(InputError) as raised:
        read_aspects_file(path)
    message = str(raised.value)
    assert f"{path}:2: field 'polarity' must be one of positive, negative, neutral" in message
    assert f"{path}:3: field 'aspect' is required" in message
    assert f"{path}:4: not valid JSON" in message and f"{path}:5: field 'lang'" in message
    assert "nothing was evaluated" in message
    assert [
        i.polarity for i in read_aspects_file(write_lines(tmp_path / "ok.jsonl", [good] * 3), limit=2)
    ] == [
        "positive",
        "positive",
    ]


def test_evaluate_fast_and_llm(toy_model: AspectPolarityModel, tmp_path: Path) -> None:
    rows = [
        {"text": t, "aspect": a, "polarity": p, "lang": "zh" if a in "屏幕电池" else "en"} for t, a, p in TOY
    ]
    items = read_aspects_file(write_lines(tmp_path / "toy.jsonl", rows))
    report, _ = evaluate_aspects(items, method="fast", model=toy_model)
    assert (report.n, report.accuracy, report.macro_f1) == (10, 1.0, 1.0)
    assert set(report.by_language) == {"en", "zh"} and report.items_per_second > 0
    fake = FakeLLM([json.dumps({"polarity": "positive", "confidence": 0.9})] * 10)
    llm_report, llm_predicted = evaluate_aspects(items, method="llm", llm=fake)
    assert llm_predicted == ["positive"] * 10 and llm_report.accuracy == 0.4
    assert llm_report.confusion["negative"] == {"positive": 4}


def test_cli_json_is_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [{"text": t, "aspect": a, "polarity": p, "lang": "en"} for t, a, p in TOY]
    path = write_lines(tmp_path / "in.jsonl", rows)
    root = ["--data-dir", str(tmp_path / "data"), "--llm-backend", "fake"]
    result = CliRunner().invoke(app, [*root, "eval", "aspects", str(path), "--json", "--limit", "4"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n"] == 4 and {"accuracy", "macro_f1", "items_per_second"} <= set(data)
    assert 0.0 <= data["accuracy"] <= 1.0 and 0.0 <= data["macro_f1"] <= 1.0
    llm = CliRunner().invoke(app, [*root, "eval", "aspects", str(path), "--method", "llm", "--json"])
    assert llm.exit_code == 0 and json.loads(llm.stdout)["method"] == "llm"
    with pytest.raises(SystemExit) as exited:
        run([*root, "eval", "aspects", str(path), "--method", "magic"])
    assert exited.value.code == 1 and "--method 'magic' is not supported" in capsys.readouterr().err


def test_packaged_model_on_the_shared_test_sets(shared_data: Path) -> None:
    folder = shared_data / "reviews" / "aspects"
    for name, floor in (("en_tshirt_test", 0.85), ("zh_camera_test", 0.85)):
        items = read_aspects_file(folder / f"{name}.jsonl")
        report, _ = evaluate_aspects(items, method="fast")
        assert report.accuracy >= floor, (name, report.accuracy)
        assert report.macro_f1 >= 0.6, (name, report.macro_f1)
