"""The fast sentiment classifier (features, shipped artifact, labels), the LLM option and the eval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from shopops.cli.main import app, run
from shopops.errors import InputError
from shopops.evals.sentiment_eval import evaluate_sentiment, read_sentiment_file
from shopops.llm.fake import FakeLLM
from shopops.reviews.sentiment import (
    SentimentModel,
    default_model,
    label_for,
    model_language,
    score_texts,
    split_clauses,
)
from shopops.reviews.sentiment_features import RECIPES, FeatureExtractor, english_tokens, normalize
from shopops.reviews.sentiment_llm import classify_with_llm
from shopops.reviews.types import SENTIMENTS

SAMPLES = ["质量很好，物流也快，非常满意", "Not good at all, it broke the first day."]
POSITIVE = [
    "质量很好，物流也快，非常满意！",
    "味道不错，送餐很快，下次还点",
    "Great phone, works perfectly and the battery lasts for days.",
    "The food was delicious and the staff were friendly.",
]
NEGATIVE = [
    "太差了，用了两天就坏了，再也不买了",
    "送来的饭都凉了，等了两个小时，难吃",
    "Terrible quality, it stopped working after a week.",
    "The service was slow and the food was cold.",
]


def _hashed_columns(language: str, texts: list[str]) -> list[list[int]]:
    extractor = FeatureExtractor(RECIPES[language])
    return [sorted(m.indices.tolist()) for m in extractor.counts(texts)]


def test_features_are_the_same_in_another_process() -> None:
    code = (
        "import json, sys; from tests.unit.test_reviews_sentiment import _hashed_columns, SAMPLES; "
        "print(json.dumps([_hashed_columns(l, SAMPLES) for l in ('zh', 'en')]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, check=True)
    here = [_hashed_columns(language, SAMPLES) for language in ("zh", "en")]
    assert json.loads(out.stdout) == here and all(columns for block in here for columns in block)


def test_normalisation_and_negation_scope() -> None:
    assert normalize("Ｇｏｏｄ  soooo\u2019s") == "good soo's"
    tokens = english_tokens(normalize("It's not good, but I don't hate it!"))
    assert tokens == ["it's", "not", "NEG_good", ",", "but", "i", "don't", "NEG_hate", "NEG_it", "!"]


def test_shipped_artifact_loads_and_scores_obvious_reviews() -> None:
    model = default_model()
    assert model is default_model() and model.version.startswith("sentiment-") and len(model.version) > 20
    assert set(model.models) == {"zh", "en"}
    p = model.predict_proba(POSITIVE + NEGATIVE)
    assert p.shape == (8,) and np.all((p >= 0) & (p <= 1))
    assert np.all(p[:4] > 0.6), p
    assert np.all(p[4:] < 0.4), p
    assert model.predict_proba([]).shape == (0,)
    assert model_language("ja") == "zh" and model_language("fr") == "en" and model_language("") == "en"
    assert model.languages_for(["好评", "nice"]) == ["zh", "en"]
    with pytest.raises(InputError):
        model.predict_proba(["a", "b"], ["en"])


def test_load_a_missing_artifact_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="shopops train sentiment"):
        SentimentModel.load(tmp_path)


def test_label_rules_neutral_band_and_mixed() -> None:
    assert label_for(0.9, [], 0.15) == "positive" and label_for(0.1, [], 0.15) == "negative"
    assert label_for(0.6, [], 0.15) == "neutral" and label_for(0.66, [], 0.15) == "positive"
    assert label_for(0.9, [0.95, 0.1], 0.15) == "mixed"
    assert label_for(0.9, [0.95, 0.3], 0.15) == "positive"  # the complaint is not clear enough
    assert label_for(0.5, [0.95], 0.15) == "neutral"  # one clause cannot be mixed
    assert split_clauses("屏幕很清晰，但是电池不耐用。") == ["屏幕很清晰", "电池不耐用"]
    assert split_clauses("Great screen, but the battery died.") == ["Great screen", "the battery died"]


def test_score_texts_labels_and_languages() -> None:
    texts = [
        POSITIVE[0],
        NEGATIVE[2],
        "The screen is gorgeous and bright, but the battery is terrible and died in a day.",
        "外观很漂亮，非常喜欢。但是质量太差了，用两天就坏了",
    ]
    scores = score_texts(texts)
    assert [s.label for s in scores] == ["positive", "negative", "mixed", "mixed"]
    assert [s.language for s in scores] == ["zh", "en", "en", "zh"]
    assert all(s.method == "fast" and 0.0 <= s.p_positive <= 1.0 for s in scores)
    wide = score_texts(texts[:2], ["zh", "en"], neutral_band=0.5)
    assert [s.label for s in wide] == ["neutral", "neutral"]


def test_llm_path_with_the_fake_backend() -> None:
    fake = FakeLLM(
        [
            json.dumps({"sentiment": "negative", "confidence": 0.9}),
            json.dumps({"sentiment": "positive", "confidence": 0.2}),
            "not json",
            json.dumps({"sentiment": "mixed", "confidence": 0.8}),
        ]
    )
    scores = classify_with_llm(fake, ["坏了", "ok", "good but slow"], ["zh", "en", "en"])
    assert [(s.label, s.p_positive, s.method) for s in scores] == [
        ("negative", pytest.approx(0.05), "llm"),
        ("neutral", pytest.approx(0.6), "llm"),
        ("mixed", 0.5, "llm"),
    ]
    assert len(fake.requests) == 4 and fake.requests[0].json_schema is not None
    # unscripted, the fake's JSON is schema-valid by construction
    free = classify_with_llm(FakeLLM(), ["this is the one", "随便"])
    assert all(0.0 <= s.p_positive <= 1.0 and s.label in SENTIMENTS for s in free)
    assert [s.language for s in free] == ["en", "zh"]


def write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_file_errors_name_row_and_field(tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", 'text,label\nfine,positive\n"",negative\nmeh,great\n')
    with pytest.raises(InputError) as raised:
        read_sentiment_file(bad)
    message = str(raised.value)
    assert "row 3, field 'text'" in message and "row 4, field 'label'" in message and str(bad) in message
    with pytest.raises(InputError, match=r"missing column.*label"):
        read_sentiment_file(write_csv(tmp_path / "nolabel.csv", "text,score\nfine,1\n"))
    ok = read_sentiment_file(
        write_csv(tmp_path / "ok.csv", "Text,Label,source\na,Positive,x\nb,negative,y\n")
    )
    assert [(i.row, i.text, i.label) for i in ok] == [(2, "a", "positive"), (3, "b", "negative")]


def test_evaluate_fast_and_llm(tmp_path: Path) -> None:
    rows = [(t, "positive") for t in POSITIVE] + [(t, "negative") for t in NEGATIVE]
    body = "text,label\n" + "".join(f'"{t}",{label}\n' for t, label in rows)
    items = read_sentiment_file(write_csv(tmp_path / "toy.csv", body))
    report, p = evaluate_sentiment(items, method="fast")
    assert (report.n, report.accuracy, report.macro_f1) == (8, 1.0, 1.0) and len(p) == 8
    assert set(report.by_language) == {"zh", "en"} and report.reviews_per_second > 0
    fake = FakeLLM([json.dumps({"sentiment": "positive", "confidence": 0.9})] * 6 + ["x"] * 6)
    llm_report, _ = evaluate_sentiment(items[:7], method="llm", llm=fake)
    assert llm_report.accuracy == pytest.approx(4 / 7, abs=1e-4) and llm_report.failures == 1


def test_cli_json_is_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "text,label\n" + "".join(f'"{t}",positive\n' for t in POSITIVE) + f'"{NEGATIVE[0]}",negative\n'
    path = write_csv(tmp_path / "in.csv", body)
    root = ["--data-dir", str(tmp_path / "data"), "--llm-backend", "fake"]
    result = CliRunner().invoke(app, [*root, "eval", "sentiment", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"n", "accuracy", "macro_f1", "reviews_per_second"} <= set(data) and data["n"] == 5
    assert data["accuracy"] == 1.0 and data["method"] == "fast"
    llm = CliRunner().invoke(
        app, [*root, "eval", "sentiment", str(path), "--method", "llm", "--json", "--limit", "2"]
    )
    assert llm.exit_code == 0, llm.output
    assert json.loads(llm.stdout)["method"] == "llm" and json.loads(llm.stdout)["n"] == 2
    with pytest.raises(SystemExit) as exited:
        run([*root, "eval", "sentiment", str(path), "--method", "magic"])
    assert exited.value.code == 1 and "--method 'magic' is not supported" in capsys.readouterr().err


def test_shipped_model_meets_the_targets_on_the_held_out_split(shared_data: Path) -> None:
    from shopops.reviews.sentiment import ARTIFACT_DIR
    from shopops.reviews.sentiment_train import load_language, split

    manifest = json.loads((ARTIFACT_DIR / "sentiment.json").read_text())
    for language, floor in (("zh", 0.92), ("en", 0.88)):
        data = load_language(shared_data / "reviews", language)
        assert [f.sha256 for f in data.files] == [
            f["sha256"] for f in manifest["training"][language]["files"]
        ]
        _, test = split(data.frame, language, manifest["seed"])
        p = default_model().predict_proba(test["text"].tolist())
        accuracy = float(np.mean((p >= 0.5) == (test["y"].to_numpy() == 1)))
        assert accuracy >= floor, (language, accuracy)
        assert accuracy == pytest.approx(manifest["training"][language]["held_out"]["accuracy"], abs=1e-9)
