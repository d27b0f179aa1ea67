import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from tsforecast.cli import common
from tsforecast.cli.main import cli

from tsforecast import datasets, persistence

TINY = ["--units", "4", "--epochs", "1", "--ensemble", "1", "--seed", "7"]
HEAVY = ("keras", "jax", "statsmodels", "matplotlib", "tensorflow", "torch")


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def invoke(runner):
    def run(*args, code=0, input=None):
        result = runner.invoke(cli, [str(a) for a in args], input=input)
        assert "Traceback" not in result.output
        assert result.exit_code == code, result.output
        return result

    return run


@pytest.fixture(scope="module")
def snaive_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "air.tsf"
    result = CliRunner().invoke(cli, ["fit", "air_passengers", "--model", "snaive",
                                      "--baselines", "naive", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


def write(path, text):
    path.write_text(text)
    return path


def error_line(result):
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


def run_process(*args, cwd=None, check=True):
    executable = shutil.which("tsforecast")
    command = [executable] if executable else [
        sys.executable, "-c", "from tsforecast.cli.main import main; main()"]
    process = subprocess.run([*command, *map(str, args)], capture_output=True, text=True,
                             cwd=cwd, timeout=300, check=False)
    if check:
        assert process.returncode == 0, process.stderr
    return process


# ------------------------------------------------------------------ start-up and help
def test_help_does_not_import_heavy_modules():
    code = (
        "import sys\n"
        "from tsforecast.cli.main import cli\n"
        "for args in (['--help'], ['fit', '--help'], ['predict', '--help'],\n"
        "             ['compare', '--help'], ['tune', '--help'], ['datasets', '--help'],\n"
        "             ['info', '--help']):\n"
        "    try:\n"
        "        cli(args)\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_console_script_help_and_version():
    process = run_process("--help")
    for command in ("fit", "predict", "compare", "tune", "datasets", "info"):
        assert command in process.stdout
    assert run_process("--version").stdout.strip() == "tsforecast, version 0.1.0"


@pytest.mark.parametrize("command", ["fit", "predict", "compare", "tune", "datasets", "info",
                                     "datasets list", "datasets show", "datasets export"])
def test_every_command_has_help(invoke, command):
    result = invoke(*command.split(), "--help")
    assert "Usage: cli" in result.output or "Usage: " in result.output
    assert "--help" in result.output


# ---------------------------------------------------------------------------- datasets
def test_datasets_list_show_export(invoke, tmp_path):
    listing = invoke("datasets", "list").output
    for name in datasets.list_datasets():
        assert name in listing
    shown = invoke("datasets", "show", "nile", "--rows", "2").output
    assert "Annual flow of the river Nile" in shown and "1120.0" in shown
    info = json.loads(invoke("datasets", "show", "lynx", "--json").stdout)
    assert info["n"] == 114 and info["frequency"] == "yearly"
    target = tmp_path / "nile.csv"
    invoke("datasets", "export", "nile", target)
    assert target.read_bytes() == datasets.dataset_path("nile").read_bytes()
    result = invoke("datasets", "export", "nile", target, code=1)
    assert "already exists; pass --force" in error_line(result)
    invoke("datasets", "export", "nile", target, "--force")
    assert invoke("datasets", "export", "lynx", "-").stdout.startswith("Year,Lynx")
    names = json.loads(invoke("--json", "datasets", "list").stdout)
    assert [d["name"] for d in names] == datasets.list_datasets()
    result = invoke("datasets", "show", "nope", code=2)
    assert "Unknown dataset 'nope'" in error_line(result)


# --------------------------------------------------------------- fit / predict / info
def test_fit_predict_info_with_a_baseline(invoke, snaive_model, tmp_path):
    manifest = persistence.read_metadata(snaive_model)
    assert manifest["class"] == "tsforecast.statistical.baselines.SeasonalNaive"
    assert manifest["metadata"]["data"]["sha256"] == common.file_sha256(
        datasets.dataset_path("air_passengers"))

    forecast = invoke("predict", snaive_model, "--horizon", "3", "--coverage", "0.8").stdout
    frame = pd.read_csv(io.StringIO(forecast))
    assert list(frame.columns) == ["Month", "forecast", "lower", "upper"]
    assert frame["Month"].tolist() == ["1961-01-01", "1961-02-01", "1961-03-01"]
    assert frame["forecast"].tolist() == [417.0, 391.0, 419.0]
    assert (frame["lower"] < frame["forecast"]).all() and (frame["upper"] > frame["forecast"]).all()

    out, plot = tmp_path / "f.csv", tmp_path / "f.png"
    result = invoke("predict", snaive_model, "-o", out, "--plot", plot)
    assert result.stdout == ""
    assert len(pd.read_csv(out)) == 12
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    document = json.loads(invoke("predict", snaive_model, "--json", "--horizon", "2").stdout)
    assert document["forecast"][0] == {"Month": "1961-01-01T00:00:00", "forecast": 417.0,
                                       "lower": document["forecast"][0]["lower"],
                                       "upper": document["forecast"][0]["upper"]}
    text = invoke("info", snaive_model).stdout
    assert "SeasonalNaive" in text and "season_length = 12" in text and "air_passengers.csv" in text
    described = json.loads(invoke("info", snaive_model, "--json").stdout)
    assert described["params"] == {"class": "SeasonalNaive", "season_length": 12}
    assert described["data"]["n_obs"] == 144 and described["holdout"][0]["mase"] > 0


def test_fit_output_and_holdout_table(invoke, tmp_path):
    data = shutil.copy(datasets.dataset_path("wineind"), tmp_path / "wine.csv")
    result = invoke("fit", data, "--model", "naive2", "--baselines", "snaive,naive")
    assert (tmp_path / "wine.tsf").is_file()
    assert "Read 176 monthly values (1980-01 .. 1994-08) from 'wine.csv'" in result.stderr
    assert "Holdout (last 12 months)" in result.stdout
    for label in ("naive2", "seasonal naive", "naive"):
        assert f"\n  {label} " in result.stdout
    assert "Saved model to" in result.stdout
    document = json.loads(invoke("fit", data, "--model", "snaive", "--no-holdout", "--json",
                                 "-o", tmp_path / "s.tsf").stdout)
    assert document["horizon"] == 12 and document["holdout"] == []
    assert document["model"].endswith("s.tsf")


def test_fit_on_a_dataset_name_saves_in_the_working_directory(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["fit", "nile", "--model", "naive", "--no-holdout"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "nile.tsf").is_file()
    assert "tsforecast predict nile.tsf" in result.stdout or "nile.tsf" in result.stdout


def test_predict_with_new_data(invoke, snaive_model, tmp_path):
    y = datasets.load_air_passengers().iloc[:120]
    new = tmp_path / "new.csv"
    y.rename_axis("Month").to_csv(new)
    result = invoke("predict", snaive_model, "--data", new, "--horizon", "2", "--plot",
                    tmp_path / "p.svg")
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert frame["Month"].tolist() == ["1959-01-01", "1959-02-01"]
    assert frame["forecast"].tolist() == y.iloc[-12:-10].tolist()
    assert (tmp_path / "p.svg").read_text().lstrip().startswith("<?xml")


def test_fit_lstm_with_holdout_and_intervals(invoke, tmp_path):
    data = datasets.dataset_path("air_passengers")
    result = invoke("fit", data, "--model", "lstm", *TINY, "--window", "12", "--horizon", "6",
                    "--transform", "log", "--baselines", "snaive", "-o", tmp_path / "a.tsf")
    assert "LSTM(4), window 12; transforms: log" in result.stderr
    assert "  lstm " in result.stdout and "seasonal naive" in result.stdout
    frame = pd.read_csv(io.StringIO(invoke("predict", tmp_path / "a.tsf").stdout))
    assert len(frame) == 6 and frame["forecast"].between(200, 900).all()
    assert (frame["lower"] <= frame["forecast"]).all()
    assert (frame["forecast"] <= frame["upper"]).all()
    metadata = persistence.read_metadata(tmp_path / "a.tsf")["metadata"]
    assert metadata["settings"]["seed"] == 7 and metadata["settings"]["units"] == [4]
    assert [row["model"] for row in metadata["holdout"]].count("lstm") == 1


def test_same_command_same_seed_gives_identical_forecasts(invoke, tmp_path):
    args = ["fit", "air_passengers", "--model", "lstm", *TINY, "--window", "12", "--horizon",
            "6", "--no-holdout", "--no-intervals"]
    invoke(*args, "-o", tmp_path / "a.tsf")
    invoke(*args, "-o", tmp_path / "b.tsf")
    invoke("predict", tmp_path / "a.tsf", "-o", tmp_path / "a.csv")
    invoke("predict", tmp_path / "b.tsf", "-o", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert len(pd.read_csv(tmp_path / "a.csv")) == 6
    # a fresh process reads the model back and prints byte-identical forecasts
    process = run_process("predict", tmp_path / "a.tsf")
    assert process.stdout.encode() == (tmp_path / "a.csv").read_bytes()


def test_fit_default_model_on_a_panel(invoke, tmp_path):
    panel = datasets.load_tourism_monthly().iloc[-90:, :3]
    long = panel.stack().rename("y").rename_axis(["ds", "unique_id"]).reset_index()
    data = tmp_path / "panel.csv"
    long[["unique_id", "ds", "y"]].to_csv(data, index=False)
    result = invoke("fit", data, *TINY, "--window", "12", "--horizon", "6", "--no-holdout")
    assert "3 series" in result.stderr and "global" in result.stderr
    forecast = pd.read_csv(io.StringIO(invoke("predict", tmp_path / "panel.tsf").stdout))
    assert list(forecast.columns) == ["series", "ds", "forecast", "lower", "upper"]
    assert sorted(forecast["series"].unique()) == sorted(panel.columns)


def test_fit_labels_the_default_model_auto_and_names_each_step(invoke, tmp_path):
    result = invoke("fit", "air_passengers", *TINY, "--horizon", "6", "--baselines", "snaive",
                    "--no-intervals", "-o", tmp_path / "a.tsf")
    assert "model auto: LSTM(4), window 36; transforms: log" in result.stderr
    assert "\n  auto (LSTM(4), log) " in result.stdout
    steps = [line for line in result.stderr.splitlines() if line.startswith("Training [")]
    assert steps == ["Training [1/3]: holdout score of auto (LSTM(4), log)",
                     "Training [2/3]: holdout score of seasonal naive",
                     "Training [3/3]: final fit of auto (LSTM(4), log) on all values"]
    holdout = persistence.read_metadata(tmp_path / "a.tsf")["metadata"]["holdout"]
    assert sorted(row["model"] for row in holdout) == ["auto", "snaive"]
    assert "default network" in invoke("fit", "--help").stdout


def test_fit_scores_a_calibrated_network_on_its_latest_calibration_fold(invoke, tmp_path,
                                                                        monkeypatch):
    from tsforecast.forecasting import TransformedForecaster

    fits = []
    real_fit = TransformedForecaster.fit

    def counting_fit(forecaster, values, X=None):
        fits.append(len(values))
        return real_fit(forecaster, values, X)

    monkeypatch.setattr(TransformedForecaster, "fit", counting_fit)
    calibrated = invoke("fit", "air_passengers", *TINY, "--horizon", "6", "--baselines",
                        "snaive", "-o", tmp_path / "a.tsf")
    assert fits == [144]  # one fit: no second round of training for the holdout
    steps = [line for line in calibrated.stderr.splitlines() if line.startswith("Training [")]
    assert steps == [("Training [1/2]: final fit of auto (LSTM(4), log) on all values "
                      "(holdout from its calibration folds)"),
                     "Training [2/2]: holdout score of seasonal naive"]
    # the same score as a network trained on the holdout's training part
    invoke("fit", "air_passengers", *TINY, "--horizon", "6", "--baselines",
                      "snaive", "--no-intervals", "-o", tmp_path / "b.tsf")
    rows = [persistence.read_metadata(tmp_path / name)["metadata"]["holdout"]
            for name in ("a.tsf", "b.tsf")]
    scores = [{row["model"]: (row["mase"], row["smape"]) for row in r} for r in rows]
    assert fits[1:] == [138, 144]
    # float32 network: the fold forecasts many origins in one batch, the holdout one window
    assert scores[0]["auto"] == pytest.approx(scores[1]["auto"], rel=1e-6)
    assert scores[0]["snaive"] == scores[1]["snaive"]


def test_fit_decides_log_and_window_on_the_holdout_training_part(invoke, tmp_path,
                                                                 monkeypatch):
    y = datasets.load_air_passengers().iloc[:60].copy()
    y.iloc[-1] = 0.0  # only the holdout part has a value that rules out the log
    data = tmp_path / "ap.csv"
    y.rename_axis("Month").to_csv(data)
    from tsforecast.forecasting import TransformedForecaster

    seen = []
    real_fit = TransformedForecaster.fit

    def recording_fit(forecaster, values, X=None):
        seen.append((len(values), common.find_param(forecaster, "window"),
                     type(forecaster).__name__))
        return real_fit(forecaster, values, X)

    monkeypatch.setattr(TransformedForecaster, "fit", recording_fit)
    result = invoke("fit", data, *TINY, "--horizon", "6", "--baselines", "naive",
                    "--no-intervals", "-o", tmp_path / "a.tsf")
    # holdout model: 54 training values, positive -> log, window (54 - 6) // 2 = 24;
    # final model: all 60 values, one of them 0 -> no log, window (60 - 6) // 2 = 27
    assert seen[0] == (54, 24, "TransformedForecaster")
    assert seen[-1][:2] == (60, 27)
    assert "holdout score of auto (LSTM(4), log)" in result.stderr
    assert "final fit of auto (LSTM(4)) on all values" in result.stderr


def test_compare_the_default_network(invoke):
    result = invoke("compare", "wineind", "--models", "auto,snaive", *TINY, "--folds", "2",
                    "--horizon", "6", "--metrics", "mase")
    assert "models: auto, snaive" in result.stderr
    assert "\nauto " in "\n" + result.stdout
    assert "auto" in invoke("compare", "--help").stdout.split("--models")[1]


def test_compare_on_shipped_data(invoke, tmp_path):
    result = invoke("compare", "nile", "--models", "naive,drift,mean", "--folds", "2",
                    "--horizon", "5", "-o", tmp_path / "board.md", "--plot", tmp_path / "h.png")
    for model in ("naive", "drift", "mean", "snaive", "naive2"):
        assert f"\n{model} " in "\n" + result.stdout
    assert "MASE" in result.stdout and "vs snaive" in result.stdout
    assert (tmp_path / "board.md").read_text().startswith("|")
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    invoke("compare", "nile", "--models", "naive", "--folds", "2", "--horizon", "5",
           "-o", tmp_path / "board.csv", "--quiet")
    assert "mase_mean" in (tmp_path / "board.csv").read_text()
    document = json.loads(invoke("compare", "nile", "--models", "naive", "--folds", "2",
                                 "--horizon", "5", "--json").stdout)
    assert {row["model"] for row in document["leaderboard"]} == {"naive", "snaive", "naive2"}


# ------------------------------------------------------------------------- bad input
BAD_CSV = {
    "empty.csv": ("", "is empty"),
    "header.csv": ("date,value\n", "no data rows"),
    "nonumeric.csv": ("date,name\n2020-01-01,a\n2020-02-01,b\n2020-03-01,c\n",
                      "no numeric column"),
    "text.csv": ("date,value\n2020-01-01,1\n2020-02-01,abc\n2020-03-01,3\n2020-04-01,4\n",
                 "non-numeric value"),
    "allnan.csv": ("date,value\n2020-01-01,\n2020-02-01,\n2020-03-01,\n", "no values"),
    "duplicate.csv": ("date,value\n2020-01-01,1\n2020-01-01,2\n2020-02-01,3\n2020-03-01,4\n",
                      "duplicate timestamp 2020-01-01"),
    "gap.csv": (("date,value\n2020-01-01,1\n2020-02-01,2\n2020-04-01,3\n2020-05-01,4\n"
                 "2020-06-01,5\n"), "missing timestamp.*2020-03.*--fill"),
    "irregular.csv": (("date,value\n2020-01-03,1\n2020-02-11,2\n2020-02-13,3\n2020-05-01,4\n"
                       "2020-06-21,5\n"), "irregular"),
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_bad_csv_gives_one_line_error(invoke, tmp_path, name):
    text, pattern = BAD_CSV[name]
    result = invoke("fit", write(tmp_path / name, text), "--model", "naive", code=1)
    assert pd.Series([error_line(result)]).str.contains(pattern).all(), result.output
    assert not list(tmp_path.glob("*.tsf"))


@pytest.mark.parametrize(
    "args, code, pattern",
    [
        (["fit", "missing.csv"], 2, "file 'missing.csv' does not exist; check the path"),
        (["fit", "nile", "--window", "0"], 2, "'0' is not a positive integer.*--window 24"),
        (["fit", "nile", "--horizon", "-3"], 2, "'-3' is not a positive integer"),
        (["fit", "nile", "--model", "prophet"], 2, "Unknown forecaster 'prophet'; choose one of"),
        (["fit", "nile", "--model", "lstn"], 2, "did you mean 'lstm'"),
        (["fit", "nile", "--units", "4,x"], 2, "comma-separated positive integers"),
        (["fit", "nile", "--model", "naive", "--units", "4"], 2, "--units applies only"),
        (["fit", "nile", "--transform", "sqrt"], 2, "Unknown transform 'sqrt'"),
        (["fit", "nile", "--output", "no/such/dir/m.tsf"], 2, "directory 'no/such/dir' does not"),
        (["predict", "missing.tsf"], 2, "model file 'missing.tsf' does not exist"),
        (["predict", "nile.csv", "--coverage", "1.5"], 2, r"must be a number in \(0, 1\)"),
        (["compare", "nile", "--models", "naive,foo"], 2, "Unknown forecaster 'foo'"),
        (["compare", "nile", "--metrics", "accuracy"], 2, "unknown metric 'accuracy'"),
        (["compare", "nile", "--jobs", "0"], 2, "0 workers"),
        (["compare", "nile", "--output", "board.xlsx"], 2, "use a .csv, .json or .md"),
        (["compare", "nile", "--folds", "30", "--horizon", "10"], 2, "too few for 30 folds"),
    ],
)
def test_bad_options_give_one_line_error(runner, tmp_path, monkeypatch, args, code, pattern):
    import re

    monkeypatch.chdir(tmp_path)
    shutil.copy(datasets.dataset_path("nile"), "nile.csv")
    result = runner.invoke(cli, args)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert re.search(pattern, error_line(result)), result.output


def test_series_shorter_than_window_plus_horizon(invoke, tmp_path):
    rows = "\n".join(f"2020-{m:02d}-01,{m}" for m in range(1, 13))
    data = write(tmp_path / "short.csv", "date,value\n" + rows + "\n")
    result = invoke("fit", data, "--model", "lstm", *TINY, "--window", "8", "--horizon", "6",
                    code=1)
    assert "has 12 values, needs at least window + horizon = 14; pass a smaller window" in (
        error_line(result))


@pytest.mark.parametrize(
    "content, pattern",
    [
        (b"not a model", "not a zip archive"),
        (b"PK\x03\x04" + b"\x00" * 40, "not a zip archive, or truncated"),
    ],
)
def test_unreadable_model_file(invoke, tmp_path, content, pattern):
    model = tmp_path / "m.tsf"
    model.write_bytes(content)
    for command in ("predict", "info"):
        assert pattern in error_line(invoke(command, model, code=1))


def test_corrupted_and_foreign_model_files(invoke, snaive_model, tmp_path):
    truncated = tmp_path / "truncated.tsf"
    truncated.write_bytes(snaive_model.read_bytes()[:-40])
    assert "not a zip archive, or truncated" in error_line(invoke("predict", truncated, code=1))
    foreign = tmp_path / "foreign.tsf"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "no manifest.json" in error_line(invoke("predict", foreign, code=1))
    assert "is a directory" in error_line(invoke("predict", tmp_path, code=2))


def test_verbose_prints_the_traceback(runner, tmp_path):
    model = write(tmp_path / "m.tsf", "garbage")
    quiet = runner.invoke(cli, ["predict", str(model)])
    loud = runner.invoke(cli, ["predict", str(model), "--verbose"])
    assert quiet.exit_code == loud.exit_code == 1
    assert "Traceback" not in quiet.output and "Traceback" in loud.output
    assert "ModelFileError" in loud.output


def test_errors_in_a_real_process_have_no_traceback(tmp_path, snaive_model):
    empty = write(tmp_path / "empty.csv", "")
    broken = write(tmp_path / "broken.tsf", "garbage")
    for args, code in (
        (["fit", empty], 1),
        (["fit", tmp_path / "missing.csv"], 2),
        (["predict", broken], 1),
        (["fit", "nile", "--window", "0"], 2),
    ):
        process = run_process(*args, check=False)
        assert process.returncode == code, process.stderr
        assert "Traceback" not in process.stderr
        assert len([line for line in process.stderr.splitlines() if line.startswith("Error:")]) == 1
    process = run_process("predict", snaive_model, "--horizon", "1", cwd=tmp_path)
    assert process.stdout == "Month,forecast,lower,upper\n" + process.stdout.splitlines()[1] + "\n"


def test_output_into_a_closed_pipe_stops_quietly():
    # like `tsforecast datasets export tourism_monthly - | head -1`: the reader leaves early
    executable = shutil.which("tsforecast")
    command = [executable] if executable else [
        sys.executable, "-c", "from tsforecast.cli.main import main; main()"]
    process = subprocess.Popen([*command, "datasets", "export", "tourism_monthly", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"unique_id,ds,y\n"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as a shell reports `yes | head`
    assert stderr == ""


@pytest.mark.parametrize("args", [
    ["datasets", "export", "tourism_monthly", "-"],
    ["predict", "{model}", "--horizon", "3000"],  # one write of about 160 kB
], ids=["many-writes", "one-write"])
def test_piping_into_head_exits_with_the_sigpipe_status(snaive_model, args):
    executable = shutil.which("tsforecast")
    command = [executable] if executable else [
        sys.executable, "-c", "from tsforecast.cli.main import main; main()"]
    words = [*command, *(a.format(model=snaive_model) for a in args)]
    # unbuffered text output (PYTHONUNBUFFERED) drops what a closed pipe refuses unseen
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$@" | head -1', "pipeline", *words],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert process.returncode == 141, process.stderr
    assert process.stderr == "" and len(process.stdout.splitlines()) == 1


# ------------------------------------------------------------------ unwritable output
def test_unwritable_output_fails_before_training(runner, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    trained = []
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr("tsforecast.cli.fit.read_data", lambda *a, **k: trained.append(1))
    result = runner.invoke(cli, ["fit", "nile", "-o", str(tmp_path / "m.tsf")])
    assert result.exit_code == 2 and not trained
    assert "is not writable (Permission denied); pass --output" in error_line(result)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores directory permissions")
def test_read_only_directory(runner, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = runner.invoke(cli, ["fit", "nile", "-o", str(locked / "m.tsf")])
    finally:
        locked.chmod(0o700)
    assert result.exit_code == 2 and "not writable" in error_line(result)


@pytest.mark.parametrize("code, message", [
    ("ENOSPC", "no space left on the device"),
    ("EROFS", "permission denied"),  # read-only file system (also runs as root)
    ("EACCES", "permission denied"),
    ("EIO", "cannot access"),
])
def test_failed_save_keeps_previous_model(runner, snaive_model, tmp_path, monkeypatch, code,
                                          message):
    import errno

    target = shutil.copy(snaive_model, tmp_path / "model.tsf")
    before = Path(target).read_bytes()

    def fail(*args, **kwargs):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)))

    monkeypatch.setattr("tsforecast.files.os.replace", fail)
    result = runner.invoke(cli, ["fit", "nile", "--model", "naive", "--no-holdout",
                                 "-o", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert message in error_line(result)
    assert Path(target).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tsf"]


INTERRUPTED = "Interrupted; nothing was saved."


def raise_interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def assert_interrupted(result):
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert [line for line in result.output.splitlines() if "Interrupted" in line] == [INTERRUPTED]


@pytest.mark.parametrize("where", ["training", "saving"])
def test_interrupted_fit_leaves_no_partial_model(runner, snaive_model, tmp_path, monkeypatch,
                                                 where):
    target = shutil.copy(snaive_model, tmp_path / "model.tsf")
    before = Path(target).read_bytes()
    if where == "saving":
        monkeypatch.setattr("tsforecast.files.os.fsync", raise_interrupt)
    else:
        monkeypatch.setattr("tsforecast.cli.fit._fit", raise_interrupt)
    result = runner.invoke(cli, ["fit", "nile", "--model", "naive", "--no-holdout",
                                 "-o", str(target)])
    assert_interrupted(result)
    assert Path(target).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tsf"]


@pytest.mark.parametrize("existing", [False, True], ids=["new", "existing"])
@pytest.mark.parametrize("model, forecaster", [
    ("naive", "tsforecast.baselines.Naive.fit"),
    ("lstm", "tsforecast.window_forecaster.WindowForecaster.fit"),
])
def test_ctrl_c_in_the_forecasters_fit(runner, snaive_model, tmp_path, monkeypatch, model,
                                       forecaster, existing):
    # the interrupt comes from inside the model's own fit, as Ctrl-C during training does
    output = tmp_path / "out"
    output.mkdir()
    target = output / "model.tsf"
    if existing:
        shutil.copy(snaive_model, target)
    before = target.read_bytes() if existing else None
    monkeypatch.setattr(forecaster, raise_interrupt)
    options = TINY if model == "lstm" else []
    result = runner.invoke(cli, ["fit", "nile", "--model", model, *options, "-o", str(target)])
    assert_interrupted(result)
    assert sorted(p.name for p in output.iterdir()) == (["model.tsf"] if existing else [])
    if existing:
        assert target.read_bytes() == before


def test_ctrl_c_while_writing_outputs_keeps_them_complete_or_untouched(
        runner, snaive_model, tmp_path, monkeypatch):
    forecast = write(tmp_path / "forecast.csv", "previous forecast\n")
    monkeypatch.setattr("tsforecast.cli.predict.plot_forecast", raise_interrupt)
    result = runner.invoke(cli, ["predict", str(snaive_model), "-o", str(forecast),
                                 "--plot", str(tmp_path / "plot.png")])
    # the forecast CSV was complete before the plot was interrupted: it is reported
    assert result.exit_code == 130 and "Traceback" not in result.output
    assert f"Interrupted; already written: {str(forecast)!r}." in result.output
    assert forecast.read_text().startswith("Month,forecast,lower,upper")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.csv"]

    monkeypatch.setattr(pd.DataFrame, "to_csv", raise_interrupt)
    forecast.write_text("previous forecast\n")
    result = runner.invoke(cli, ["predict", str(snaive_model), "-o", str(forecast)])
    assert_interrupted(result)
    assert forecast.read_text() == "previous forecast\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forecast.csv"]


@pytest.mark.slow
def test_ctrl_c_in_a_real_process(tmp_path):
    import signal
    import time

    executable = shutil.which("tsforecast")
    command = [executable] if executable else [
        sys.executable, "-c", "from tsforecast.cli.main import main; main()"]
    # 50 stacked networks: training lasts well beyond the interrupt
    command += ["fit", "air_passengers", "--model", "lstm", "--units", "64,64", "--epochs", "3000",
                "--ensemble", "50", "--no-holdout", "--no-intervals", "-o", str(tmp_path / "m.tsf")]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=tmp_path)
    started = time.monotonic()
    line = ""
    while "Training [" not in line and time.monotonic() - started < 120:
        line = process.stderr.readline()
    time.sleep(2)  # inside training
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == INTERRUPTED
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------- CSV reading options
def ambiguous_monthly_csv(path, sep=";"):
    rows = [f"01/{month:02d}/{year}{sep}{100 + 3 * i + (i % 12) ** 2}"
            for i, (year, month) in enumerate((y, m) for y in range(2015, 2020)
                                              for m in range(1, 13))]
    return write(path, "\n".join([f"when{sep}sales", *rows]) + "\n")


def test_ambiguous_dates_error_names_the_date_format_option(invoke, tmp_path):
    data = ambiguous_monthly_csv(tmp_path / "sales.csv")
    message = error_line(invoke("fit", data, "--model", "naive", "--no-holdout", code=1))
    assert "can be read day-first or month-first" in message and "--date-format" in message
    assert not list(tmp_path.glob("*.tsf"))
    # following the advice works
    invoke("fit", data, "--model", "naive", "--no-holdout", "--date-format", "%d/%m/%Y",
           "--sep", ";")
    forecast = pd.read_csv(io.StringIO(
        invoke("predict", tmp_path / "sales.tsf", "--horizon", "2").stdout))
    assert forecast["when"].tolist() == ["2020-01-01", "2020-02-01"]


@pytest.mark.parametrize("sep, flag", [("\t", "\\t"), ("\t", "tab"), ("|", "|"), (";", ";")])
def test_sep_and_date_format_reach_every_command(invoke, tmp_path, sep, flag):
    data = ambiguous_monthly_csv(tmp_path / "sales.csv", sep=sep)
    reading = ["--sep", flag, "--date-format", "%d/%m/%Y"]
    fitted = invoke("fit", data, "--model", "naive", "--no-holdout", *reading)
    assert "Read 60 monthly values (2015-01 .. 2019-12)" in fitted.output
    forecast = pd.read_csv(io.StringIO(invoke(
        "predict", tmp_path / "sales.tsf", "--data", data, "--horizon", "1", *reading).stdout))
    assert forecast["when"].tolist() == ["2020-01-01"]
    board = invoke("compare", data, "--models", "naive", "--folds", "2", "--horizon", "3",
                   "--json", *reading).stdout
    assert {row["model"] for row in json.loads(board)["leaderboard"]} >= {"naive", "snaive"}
    # a wrong format is a one-line data error, a bad delimiter a usage error
    bad = invoke("fit", data, "--model", "naive", "--sep", flag, "--date-format", "%Y-%m-%d",
                 code=1)
    assert "'%Y-%m-%d'" in error_line(bad)
    assert "one-character delimiter" in error_line(
        invoke("fit", data, "--sep", ";;", code=2))


# ------------------------------------------------------------ compilation cache
@pytest.fixture
def cache_calls(monkeypatch):
    calls = []
    monkeypatch.delenv("TSFORECAST_NO_COMPILATION_CACHE")
    monkeypatch.setattr("tsforecast.backend.enable_compilation_cache",
                        lambda directory=None: calls.append(directory) or True)
    return calls


@pytest.mark.parametrize("args", [
    ["fit", "nile", "--model", "naive", "--no-holdout", "-o", "m.tsf"],
    ["predict", "{model}", "--horizon", "1"],
    ["compare", "nile", "--models", "naive", "--folds", "2", "--horizon", "3", "--quiet"],
], ids=["fit", "predict", "compare"])
def test_training_and_predicting_commands_use_the_compilation_cache(
        runner, snaive_model, tmp_path, monkeypatch, cache_calls, args):
    args = [a.format(model=snaive_model) for a in args]
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(cli, args).exit_code == 0
    assert cache_calls == [None]
    monkeypatch.setenv("TSFORECAST_NO_COMPILATION_CACHE", "1")
    assert runner.invoke(cli, args).exit_code == 0
    assert cache_calls == [None]
    monkeypatch.delenv("TSFORECAST_NO_COMPILATION_CACHE")
    for command in (["info", str(snaive_model)], ["datasets", "list"]):
        assert runner.invoke(cli, command).exit_code == 0
    assert cache_calls == [None]


def test_uncreatable_cache_directory_never_fails_a_command(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("TSFORECAST_NO_COMPILATION_CACHE")
    blocker = write(tmp_path / "a-file", "")
    monkeypatch.setenv("TSFORECAST_CACHE_DIR", str(blocker / "cache"))
    args = ["fit", "nile", "--model", "naive", "--no-holdout", "-o", str(tmp_path / "m.tsf")]
    quiet = runner.invoke(cli, args)
    assert quiet.exit_code == 0 and "compilation cache" not in quiet.output
    loud = runner.invoke(cli, [*args, "--verbose"])
    assert loud.exit_code == 0
    warning = [line for line in loud.output.splitlines() if "compilation cache off" in line]
    assert len(warning) == 1 and "TSFORECAST_NO_COMPILATION_CACHE=1" in warning[0]


# ------------------------------------------------------- standard input and output
NILE_CSV = datasets.dataset_path("nile").read_text()
COMPARE_NILE = ["--models", "naive", "--folds", "2", "--horizon", "5"]


@pytest.fixture
def temporary_files(tmp_path, monkeypatch):
    """The directory where the commands create their temporary files."""
    directory = tmp_path / "temporary"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory


def test_dash_reads_the_data_from_standard_input(invoke, tmp_path, temporary_files):
    model = tmp_path / "nile.tsf"
    result = invoke("fit", "-", "--model", "naive", "--baselines", "drift", "-o", model,
                    input=NILE_CSV)
    assert "Read 100 yearly values (1871 .. 1970) from 'standard input'" in result.stderr
    data = persistence.read_metadata(model)["metadata"]["data"]
    assert data["file"] == "standard input" and data["path"] is None
    assert data["sha256"] == common.file_sha256(datasets.dataset_path("nile"))
    from_file = tmp_path / "file.tsf"
    invoke("fit", "nile", "--model", "naive", "--baselines", "drift", "-o", from_file)
    assert holdout_scores(from_file) == holdout_scores(model)
    # refit a saved model on new data from standard input
    new = invoke("predict", model, "--data", "-", "--horizon", "2", input=NILE_CSV).stdout
    assert new == invoke("predict", model, "--horizon", "2").stdout
    boards = [json.loads(invoke("compare", data, *COMPARE_NILE, "--json",
                                input=NILE_CSV).stdout)["leaderboard"] for data in ("-", "nile")]
    scores = [[(r["model"], r["mase_mean"]) for r in board] for board in boards]
    assert scores[0] == scores[1] and len(scores[0]) == 3
    assert list(temporary_files.iterdir()) == []  # the copy of standard input is gone
    message = error_line(invoke("fit", "-", "--model", "naive", input=NILE_CSV, code=2))
    assert "DATA is standard input" in message and "-o/--output" in message
    empty = error_line(invoke("fit", "-", "--model", "naive", "-o", model, input="", code=1))
    assert "file 'standard input' is empty" in empty


def test_dash_writes_data_files_to_standard_output(invoke, snaive_model, tmp_path):
    forecast = invoke("predict", snaive_model, "--horizon", "3").stdout
    assert invoke("predict", snaive_model, "--horizon", "3", "-o", "-").stdout == forecast
    board = invoke("compare", "nile", *COMPARE_NILE, "-o", "-")
    frame = pd.read_csv(io.StringIO(board.stdout))
    assert list(frame["model"]) == ["naive", "snaive", "naive2"] and "mase_mean" in frame
    assert "Backtesting" in board.stderr  # progress and notes stay on standard error
    markdown = invoke("compare", "nile", *COMPARE_NILE, "-o", "-", "--output-format", "md")
    assert markdown.stdout.startswith("| model")
    forecasts = invoke("compare", "nile", *COMPARE_NILE, "--forecasts", "-").stdout
    assert len(pd.read_csv(io.StringIO(forecasts))) == 3 * 2 * 5  # models x folds x steps
    message = error_line(invoke("fit", "nile", "--model", "naive", "-o", "-", code=2))
    assert "a model file cannot be written to standard output" in message
    for args in (["-o", "-", "--forecasts", "-"], ["-o", "-", "--json"]):
        message = error_line(invoke("compare", "nile", *COMPARE_NILE, *args, code=2))
        assert "all write to standard output" in message
    assert "all write to standard output" in error_line(
        invoke("predict", snaive_model, "-o", "-", "--json", code=2))


# ------------------------------------------------------------- compare exports
def test_compare_writes_its_forecasts_and_their_plot(invoke, tmp_path):
    result = invoke("compare", "nile", "--models", "drift,naive", "--folds", "2", "--horizon",
                    "5", "--forecasts", tmp_path / "f.csv", "--plot-forecasts",
                    tmp_path / "f.png", "--plot", tmp_path / "h.svg")
    frame = pd.read_csv(tmp_path / "f.csv")
    assert list(frame.columns[:9]) == ["model", "series", "fold", "cutoff", "step", "actual",
                                       "forecast", "lower", "upper"]
    assert set(frame["model"]) == {"drift", "naive", "snaive", "naive2"}
    assert len(frame) == 4 * 2 * 5
    assert f"Wrote 40 forecasts to '{tmp_path / 'f.csv'}'" in result.stderr
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "h.svg").read_text().lstrip().startswith("<?xml")
    assert "\ndrift " in "\n" + result.stdout
    message = error_line(invoke("compare", "nile", "--plot-forecasts", tmp_path / "f.txt",
                                code=2))
    assert "cannot tell the image format" in message and "--plot-forecasts" in message


# -------------------------------------------------- same options in fit and compare
def test_model_and_models_are_accepted_by_fit_and_compare(invoke, tmp_path):
    invoke("fit", "nile", "--models", "naive", "--no-holdout", "-o", tmp_path / "a.tsf")
    assert persistence.read_metadata(tmp_path / "a.tsf")["class"].endswith("Naive")
    message = error_line(invoke("fit", "nile", "--models", "naive,drift", code=2))
    assert "names several models; this command takes one" in message
    board = json.loads(invoke("compare", "nile", "--model", "drift", "--folds", "2",
                              "--horizon", "5", "--json").stdout)
    assert {row["model"] for row in board["leaderboard"]} == {"drift", "snaive", "naive2"}


def test_compare_transform_applies_to_every_model_but_auto_and_the_references(invoke):
    def board(*extra):
        result = invoke("compare", "air_passengers", "--models", "drift", "--folds", "2",
                        "--horizon", "6", "--metrics", "mae", "--json", *extra)
        return {row["model"]: row["mae_mean"] for row in json.loads(result.stdout)["leaderboard"]}

    raw, logged = board(), board("--transform", "log")
    assert logged["drift"] != raw["drift"]
    assert logged["snaive"] == raw["snaive"] and logged["naive2"] == raw["naive2"]
    from tsforecast.cli.compare import build_forecasters

    models = build_forecasters(["auto", "drift"], {}, season=12, horizon=6, n_obs=120,
                               seed=0, transform="log")
    assert type(models["drift"]).__name__ == "TransformedForecaster"
    assert [type(t).__name__ for t in models["auto"].transforms] == ["LogTransform"]
    assert "Unknown transform 'sqrt'" in error_line(
        invoke("compare", "nile", "--transform", "sqrt", code=2))


def test_fit_transform_wraps_a_baseline(invoke, tmp_path):
    result = invoke("fit", "air_passengers", "--model", "drift", "--transform", "log",
                    "--baselines", "snaive", "-o", tmp_path / "d.tsf")
    assert "transforms: log" in result.stderr
    params = json.loads(invoke("info", tmp_path / "d.tsf", "--json").stdout)["params"]
    assert params["class"] == "TransformedForecaster"
    assert params["forecaster"]["class"] == "Drift"


def holdout_scores(path):
    return [(row["model"], row["mase"], row["smape"])
            for row in persistence.read_metadata(path)["metadata"]["holdout"]]


def test_fit_jobs_score_the_holdout_in_worker_processes(invoke, tmp_path):
    args = ["fit", "air_passengers", "--model", "snaive", "--baselines", "naive,drift,theta"]
    serial = invoke(*args, "-o", tmp_path / "serial.tsf")
    parallel = invoke(*args, "--jobs", "2", "-o", tmp_path / "parallel.tsf")
    assert holdout_scores(tmp_path / "serial.tsf") == holdout_scores(tmp_path / "parallel.tsf")
    steps = [line for line in parallel.stderr.splitlines() if line.startswith("Training [")]
    assert steps == ["Training [1/5]: holdout score of snaive",
                     "Training [2/5]: holdout score of naive",
                     "Training [3/5]: holdout score of drift",
                     "Training [4/5]: holdout score of theta",
                     "Training [5/5]: final fit of snaive on all values"]
    assert serial.stdout.splitlines()[0] == parallel.stdout.splitlines()[0]
    assert "0 workers" in error_line(invoke(*args, "--jobs", "0", code=2))
    assert "the holdout scores" in invoke("fit", "--help").stdout


def test_fit_dask_runs_the_holdout_tasks_on_the_cluster(invoke, tmp_path, monkeypatch):
    from tsforecast.evaluation import executors

    seen = []
    real_run_tasks = executors.run_tasks

    def recording(function, tasks, **options):
        seen.append(options)
        return real_run_tasks(function, tasks, total=options["total"])  # in this process

    monkeypatch.setattr(executors, "run_tasks", recording)
    invoke("fit", "nile", "--model", "naive", "--baselines", "drift", "--dask",
           "tcp://scheduler:8786", "-o", tmp_path / "m.tsf")
    assert seen == [{"total": 2, "n_jobs": 1, "backend": "dask",
                     "address": "tcp://scheduler:8786"}]
    assert [row[0] for row in holdout_scores(tmp_path / "m.tsf")] == ["naive", "drift"]


def test_a_failing_baseline_leaves_a_blank_row_and_its_warning(invoke, tmp_path, monkeypatch):
    from tsforecast.statistical import Drift

    def fail(self, y, X=None):
        import warnings

        warnings.warn("drift looked at the data", UserWarning, stacklevel=1)
        raise ValueError("no drift today")

    monkeypatch.setattr(Drift, "_fit", fail)
    result = invoke("fit", "nile", "--model", "naive", "--baselines", "drift",
                    "-o", tmp_path / "m.tsf")
    assert "  note: drift failed on the holdout (ValueError: no drift today)." in result.stderr
    assert "  warning: drift looked at the data" in result.stderr
    assert ("drift", None, None) in holdout_scores(tmp_path / "m.tsf")
    monkeypatch.setattr("tsforecast.statistical.Naive._fit", fail)
    assert "no drift today" in error_line(invoke("fit", "nile", "--model", "naive",
                                                 "--baselines", "drift", code=1))


# ------------------------------------------------------------------------------ tune
def test_tune_ranks_the_candidates(invoke, tmp_path):
    args = ["tune", "air_passengers", "--model", "snaive", "--grid", "season_length=1,6,12",
            "--folds", "2", "--horizon", "6", "--metric", "mae"]
    result = invoke(*args, "-o", tmp_path / "c.csv")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["rank", "season_length", "mae", "std", "fit", "s"]
    assert lines[1].split()[:2] == ["1", "12"]
    assert "Best: season_length=12" in result.stdout
    assert ("Train it: tsforecast fit air_passengers --model snaive --horizon 6 "
            "--season-length 12") in result.stdout
    assert "3 candidates by mae" in result.stderr
    table = pd.read_csv(tmp_path / "c.csv")
    assert table["season_length"][0] == 12 and list(table["rank"]) == [1, 2, 3]
    assert table["mean_mae"].is_monotonic_increasing
    assert {"mean_mae", "std_mae", "split0_mae", "split1_mae", "fit_seconds"} <= set(table)
    document = json.loads(invoke(*args, "--json").stdout)
    assert document["best_params"] == {"season_length": 12} and document["metric"] == "mae"
    assert [c["season_length"] for c in document["candidates"]] == [
        str(v) for v in table["season_length"]]
    assert invoke(*args, "-o", "-", "--output-format", "md").stdout.startswith("| rank")


def test_tune_a_network_grid(invoke):
    result = invoke("tune", "air_passengers", "--model", "lstm", "--grid", "units=2,3/2",
                    "--grid", "learning-rate=0.01", *TINY, "--window", "12", "--folds", "1",
                    "--horizon", "6")
    ranked = [line.split()[1] for line in result.stdout.splitlines()[1:3]]
    assert sorted(ranked) == ["2", "3/2"]
    command = result.stdout.splitlines()[-1]
    assert command.startswith("Train it: tsforecast fit air_passengers --model lstm ")
    for words in ("--epochs 1", "--ensemble 1", "--seed 7", "--window 12", "--horizon 6",
                  "--learning-rate 0.01"):
        assert words in command
    assert ("--units 2 " in command + " ") or ("--units 3,2" in command)
    assert "--units 4" not in command  # the searched value replaces the fixed one


@pytest.mark.parametrize("grid, pattern", [
    ("unitz=4,8", "has no parameter 'unitz'; did you mean 'units'?"),
    ("units", "is not NAME=V1,V2"),
    ("units=", "is not NAME=V1,V2"),
])
def test_tune_grid_errors(invoke, grid, pattern):
    message = error_line(invoke("tune", "air_passengers", "--model", "lstm", "--grid", grid,
                                code=2))
    assert pattern in message and "--grid" in message


def test_tune_values_are_read_as_numbers_booleans_and_tuples():
    from tsforecast.cli.tune import parse_value, show_value

    cases = {"8": 8, "0.003": 0.003, "true": True, "None": None, "32/16": (32, 16),
             "seq2seq": "seq2seq", "1/1/1": (1, 1, 1)}
    for text, value in cases.items():
        assert parse_value(text) == value and type(parse_value(text)) is type(value)
        assert show_value(parse_value(text)) == text.lower()


# --------------------------------------------- environment variables and config file
def compare_folds(invoke, *args):
    document = json.loads(invoke("compare", "nile", "--models", "naive", "--horizon", "5",
                                 "--json", *args).stdout)
    return document["leaderboard"][0]["n_folds"], [r["model"] for r in document["leaderboard"]]


def test_options_from_the_environment(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORECAST_COMPARE_FOLDS", "4")
    assert compare_folds(invoke)[0] == 4
    assert compare_folds(invoke, "--folds", "2")[0] == 2  # the command line wins
    fitted = invoke("fit", "nile", "--model", "naive", "--no-holdout", "-o", tmp_path / "m.tsf")
    assert "Read 100 yearly values" in fitted.stderr
    monkeypatch.setenv("TSFORECAST_QUIET", "1")  # an option of tsforecast itself
    quiet = invoke("fit", "nile", "--model", "naive", "--no-holdout", "-o", tmp_path / "m.tsf")
    assert quiet.stderr == ""
    monkeypatch.setenv("TSFORECAST_COMPARE_FOLDS", "0")
    assert "'0' is not a positive integer" in error_line(invoke("compare", "nile", code=2))


def write_config(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_options_from_the_config_file_and_their_precedence(invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    write_config(tmp_path / "xdg" / "tsforecast" / "config.toml",
                 '[compare]\nfolds = 2\nmodels = ["naive", "drift"]\n')
    assert compare_folds(invoke) == (2, ["naive", "snaive", "naive2"])
    board = json.loads(invoke("compare", "nile", "--horizon", "5", "--json").stdout)
    assert {row["model"] for row in board["leaderboard"]} == {"naive", "drift", "snaive",
                                                              "naive2"}
    monkeypatch.setenv("TSFORECAST_COMPARE_FOLDS", "3")  # the environment beats the file
    assert compare_folds(invoke)[0] == 3
    assert compare_folds(invoke, "--folds", "4")[0] == 4  # the command line beats both
    monkeypatch.delenv("TSFORECAST_COMPARE_FOLDS")
    # --config replaces the default file, before or after the command name
    other = write_config(tmp_path / "other.toml", "[compare]\nfolds = 5\n")
    assert compare_folds(invoke, "--config", other)[0] == 5
    folds = json.loads(invoke("--config", other, "compare", "nile", "--models", "naive",
                              "--horizon", "5", "--json").stdout)["leaderboard"][0]["n_folds"]
    assert folds == 5
    monkeypatch.setenv("TSFORECAST_CONFIG", str(other))
    assert compare_folds(invoke)[0] == 5
    monkeypatch.delenv("TSFORECAST_CONFIG")
    # the options of tsforecast itself at the top, a nested command in its own table
    write_config(tmp_path / "xdg" / "tsforecast" / "config.toml",
                 "quiet = true\n[datasets.export]\nforce = true\n")
    target = write(tmp_path / "nile.csv", "old")
    result = invoke("datasets", "export", "nile", target)
    assert target.read_text() == NILE_CSV and result.stderr == ""


def test_network_settings_in_the_config_file_do_not_stop_a_baseline(invoke, tmp_path,
                                                                     monkeypatch):
    config = write_config(tmp_path / "c.toml", "[fit]\nunits = [4, 4]\nepochs = 1\n")
    invoke("fit", "nile", "--model", "naive", "--no-holdout", "--config", config,
           "-o", tmp_path / "n.tsf")
    result = invoke("fit", "nile", "--model", "lstm", "--ensemble", "1", "--no-holdout",
                    "--no-intervals", "--config", config, "-o", tmp_path / "l.tsf")
    assert "LSTM(4,4)" in result.stderr
    assert persistence.read_metadata(tmp_path / "l.tsf")["metadata"]["settings"]["epochs"] == 1
    message = error_line(invoke("fit", "nile", "--model", "naive", "--units", "4",
                                "--config", config, code=2))
    assert "--units applies only to the networks" in message


@pytest.mark.parametrize("text, pattern", [
    ("[compare]\nfold = 2\n", r"\[compare\] has no option 'fold'; did you mean 'folds'\?"),
    ("[compar]\nfolds = 2\n", "has no command 'compar'; did you mean 'compare'?"),
    ("verbos = true\n", "the top level .* has no option 'verbos'; did you mean 'verbose'?"),
    ("[compare\n", "is not valid TOML"),
    ("[compare]\nfolds = 0\n", "0 is not a positive integer"),
])
def test_config_file_errors_name_the_file(runner, tmp_path, text, pattern):
    import re

    config = write_config(tmp_path / "c.toml", text)
    result = runner.invoke(cli, ["--config", str(config), "compare", "nile"])
    assert result.exit_code == 2, result.output
    assert re.search(pattern, error_line(result)), result.output
    if "TOML" in pattern or "has no" in pattern:
        assert str(config) in error_line(result)
    missing = runner.invoke(cli, ["--config", str(tmp_path / "missing.toml"), "info", "x"])
    assert missing.exit_code == 2 and "config file" in error_line(missing)


def test_help_documents_where_options_come_from(invoke):
    text = invoke("--help").stdout
    for words in ("TSFORECAST_FIT_HORIZON=12", "config.toml", "XDG_CONFIG_HOME",
                  "first match wins", "141"):
        assert words in text


# ------------------------------------------------------------------ epoch progress
@pytest.mark.filterwarnings("ignore:Too few calibration residuals")
def test_epoch_callback_sees_every_epoch_and_changes_nothing():
    import threading

    from tsforecast.backend.training import epoch_callback
    from tsforecast.forecasting import LSTMForecaster

    y = datasets.load_air_passengers()

    def forecast():
        model = LSTMForecaster(window=12, horizon=3, units=(3,), epochs=2, n_ensemble=2,
                               n_jobs=2, n_calibration=1, train_on_all=False, random_state=3)
        return model.fit(y).predict_interval(3, 0.8)

    calls = []

    def report(*args):
        calls.append((threading.get_ident(), *args))

    plain = forecast()
    with epoch_callback(report):
        watched = forecast()
    pd.testing.assert_frame_equal(watched, plain, check_exact=True)
    assert forecast().equals(plain)  # and nothing is reported after the block
    # 2 seeds x (final + 1 calibration cutoff) networks, 2 epochs each, in joblib's threads
    assert len(calls) == 8
    assert [c[1:3] for c in calls].count((1, 2)) == 4
    assert all("loss" in c[3] for c in calls)
    assert threading.get_ident() not in {c[0] for c in calls}
    with epoch_callback(report), epoch_callback(None):
        forecast()  # None silences this thread and the threads it starts
    assert len(calls) == 8


def test_fit_shows_the_epochs_under_the_step_and_keeps_the_forecast(invoke, tmp_path,
                                                                    monkeypatch):
    args = ["fit", "air_passengers", "--model", "lstm", *TINY, "--window", "12", "--horizon",
            "6", "--no-holdout", "--no-intervals"]
    shown = invoke(*args, "--progress", "-o", tmp_path / "a.tsf")
    lines = shown.stderr.splitlines()
    step = lines.index("Training [1/1]: final fit of lstm on all values")
    assert lines[step + 1] == "  network 1, epoch 1/1"
    hidden = invoke(*args, "-o", tmp_path / "b.tsf")  # not a terminal: no epochs
    assert "epoch" not in hidden.stderr
    forecasts = [invoke("predict", tmp_path / name).stdout for name in ("a.tsf", "b.tsf")]
    assert forecasts[0] == forecasts[1]
    monkeypatch.setenv("TSFORECAST_PROGRESS", "1")
    assert "  network 1, epoch 1/1" in invoke(*args, "-o", tmp_path / "c.tsf").stderr
    assert "epoch" not in invoke(*args, "--quiet", "-o", tmp_path / "c.tsf").stderr


def test_epoch_display_redraws_one_line_on_a_terminal(capsys):
    from tsforecast.cli.output import EpochDisplay

    display = EpochDisplay(interactive=True)
    display(1, 100, {"loss": 1.0})
    display(2, 100, {"loss": 0.5})  # within a tenth of a second: not drawn
    display.close()
    written = capsys.readouterr().err
    text = "  network 1, epoch 1/100"
    assert written == "\r" + text + "\r" + " " * len(text) + "\r"


def test_the_summary_line_names_a_multiple_frequency_by_its_step():
    from types import SimpleNamespace

    from tsforecast.cli.common import summary_line

    def line(freq):
        y = pd.Series(range(4), index=pd.date_range("2014", periods=4, freq=freq), name="y")
        return summary_line(SimpleNamespace(y=y, freq=freq, time_col="t", target="y"), "a.csv")

    assert line("30min").startswith("Read 4 values every 30min (")
    assert line("h").startswith("Read 4 hourly values (")
