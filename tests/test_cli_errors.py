"""The command line turns every foreseeable failure into one capped line and exit code 1;
``--debug`` shows the traceback instead. No kernel starts here."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from analysis.__main__ import MAX_ERROR_CHARS, capped, main
from analysis.errors import AnalysisError
from analysis.publish.scheduler import DaskExecutor, DaskUnreachable


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_root_that_is_a_file_or_missing_is_one_clear_error(tmp_path, capsys, kind):
    root = tmp_path / "not-a-project"
    if kind == "file":
        root.write_text("x")
    assert main(["--root", str(root), "releases"]) == 1
    err = _one_line_error(capsys)
    assert str(root) in err
    assert ("is not a folder" if kind == "file" else "does not exist") in err


@pytest.mark.parametrize("h", ["-1", "0", "27", "eight"])
def test_forecast_horizon_out_of_range_is_refused_by_the_cli(capsys, h):
    with pytest.raises(SystemExit) as stop:
        main(["forecast", "--h", h])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--h" in err and "Traceback" not in err


def test_long_messages_are_capped_with_a_count_of_what_was_left_out():
    text = "first line\n" + "\n".join(f"row {i}: bad" for i in range(10_000))
    short = capped(text)
    assert len(short) <= MAX_ERROR_CHARS + 60
    assert short.startswith("first line\nrow 0: bad")
    left = len(text) - len(short.split(" ... (")[0])
    assert short.endswith(f"({left:,} more characters left out)")


def test_an_unforeseen_error_is_one_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    def boom(args, paths):
        raise KeyError("surprise")

    monkeypatch.setattr("analysis.__main__._releases", boom)
    assert main(["releases"]) == 1
    err = _one_line_error(capsys)
    assert "KeyError: 'surprise'" in err and "--debug" in err
    with pytest.raises(KeyError):
        main(["--debug", "releases"])


def test_an_os_error_names_the_file_and_the_reason(monkeypatch, capsys):
    def full(args, paths):
        raise OSError(28, "No space left on device", "data/processed/x.parquet")

    monkeypatch.setattr("analysis.__main__._releases", full)
    assert main(["releases"]) == 1
    assert "No space left on device: data/processed/x.parquet" in _one_line_error(capsys)


def test_an_analysis_error_is_raised_with_debug(tmp_path):
    with pytest.raises(AnalysisError):
        main(["--root", str(tmp_path), "--debug", "report"])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_dask_scheduler_that_does_not_answer_times_out_with_a_message():
    pytest.importorskip("distributed")
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(DaskUnreachable, match=r"no Dask scheduler answered within 2 s"):
        DaskExecutor(address, jobs=1, timeout=2)


def test_a_corrupted_report_json_of_a_published_set_does_not_break_the_batch_index(tmp_path: Path):
    from analysis.publish.batch_index import _report_record

    (tmp_path / "report.json").write_text('{"provenance": {"release": ')
    assert _report_record(tmp_path) == {}


def test_a_damaged_results_record_is_named_not_a_traceback(tmp_path: Path):
    from analysis.results import ResultsError, read_results

    (tmp_path / "01_alpha.results.json").write_text('{"notebook": "01_al')
    with pytest.raises(ResultsError, match=r"01_alpha\.results\.json: not a readable results"):
        read_results(tmp_path)
