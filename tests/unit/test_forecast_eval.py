"""``shopops eval forecast``: the contract's JSON on a tiny CSV, the metrics, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from shopops.cli.main import app, run
from shopops.evals.forecast_eval import mase_scales, read_forecast_csv, score, split_holdout

CONTRACT = {"n_series": int, "mase": float, "smape": float, "naive_mase": float, "series_per_second": float}


def write_csv(path: Path, n: int = 63, series: int = 2) -> Path:
    rows = []
    for s in range(series):
        rng = np.random.default_rng(s)
        ds = pd.date_range("2024-01-01", periods=n, freq="D")
        y = 20 + 8 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 1, n)
        rows.append(pd.DataFrame({"unique_id": f"sku-{s}", "ds": ds.strftime("%Y-%m-%d"), "y": y.round(2)}))
    pd.concat(rows).to_csv(path, index=False)
    return path


def test_cli_json_is_exactly_the_contract(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "sales.csv")
    args = ["--data-dir", str(tmp_path / "data"), "eval", "forecast", str(path), "--horizon", "7"]
    result = CliRunner().invoke(app, [*args, "--cv-windows", "1", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == set(CONTRACT)
    for key, kind in CONTRACT.items():
        assert isinstance(payload[key], kind), (key, payload[key])
    assert payload["n_series"] == 2 and payload["series_per_second"] > 0
    assert 0 < payload["mase"] < 1.5 and payload["naive_mase"] > 0
    assert 0 <= payload["smape"] <= 200
    table = CliRunner().invoke(app, [*args, "--cv-windows", "1"])
    assert table.exit_code == 0, table.output
    assert "eval forecast" in table.stdout and "naive_mase" in table.stdout


def test_cli_bad_csv_exits_1_naming_row_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("unique_id,ds,y\na,2024-01-01,3\na,2024-01-02,many\na,01/13/2024,2\n", encoding="utf-8")
    root = ["--data-dir", str(tmp_path / "data")]
    with pytest.raises(SystemExit) as exited:
        run([*root, "eval", "forecast", str(path), "--horizon", "2", "--json"])
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{path}: row 3, field 'y': is not a number" in captured.err
    assert f"{path}: row 4, field 'ds': is not a date" in captured.err
    with pytest.raises(SystemExit):
        run([*root, "eval", "forecast", str(path), "--horizon", "2", "--freq", "M"])
    assert "freq must be 'D'" in capsys.readouterr().err


def test_mase_and_smape_by_hand() -> None:
    train = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=4), "y": [1.0, 3, 5, 7]}
    )
    scales = mase_scales(train, 2)  # seasonal differences |5-1|, |7-3| → 4
    assert scales["a"] == 4
    test = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2024-01-05", periods=2), "y": [8.0, 0.0], "in_stock": True}
    )
    mase, smape, excluded = score(test, pd.Series([10.0, 0.0]), scales)
    assert mase == pytest.approx((2 / 2) / 4)  # MAE 1 over the scale 4
    assert smape == pytest.approx((200 * 2 / 18 + 0) / 2)  # 0/0 counts as 0
    assert excluded == 0
    censored = test.assign(in_stock=[True, False])
    assert score(censored, pd.Series([10.0, 5.0]), scales)[0] == pytest.approx(2 / 4)


def test_split_holdout_skips_series_too_short(tmp_path: Path) -> None:
    frame = read_forecast_csv(write_csv(tmp_path / "s.csv", n=10, series=1))
    short = frame.assign(unique_id="tiny").head(3)
    train, test, skipped = split_holdout(pd.concat([frame, short]), 4)
    assert skipped == 1 and len(train) == 6 and len(test) == 4
    assert test["ds"].min() > train["ds"].max()
