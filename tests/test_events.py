"""The partnership event timeline: the committed table validates, bad rows fail clearly."""

import datetime as dt

import pandas as pd
import pytest

from analysis.data.events import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    LABEL_MAX_CHARS,
    PARTNERS,
    event_label,
    event_labels,
    events_path,
    read_events,
)
from analysis.errors import DataValidationError
from analysis.paths import ProjectPaths
from analysis.vocabulary import WEAPON_CLASSES

TODAY = dt.date(2026, 11, 25)
HEADER = ",".join(EVENT_COLUMNS)
GOOD = (
    "russia-iran-treaty-signed,Russia–Iran treaty signed,2025-01-17,day,iran,agreement,,"
    "Russia and Iran sign a treaty.,AP,Russia and Iran sign treaty,https://example.org/a,checked,"
)
OTHER = (
    "nk-srbm-first-use,First North Korean missiles used,2023-12-01,month,north_korea,first_use,"
    "ballistic_missile,First use of North Korean missiles.,White House,Briefing,"
    "https://example.org/b,unverified,date is the month of the first reports"
)


def _write(tmp_path, *rows: str):
    path = tmp_path / "partnership_events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_committed_timeline_is_valid_and_sourced():
    events = read_events(ProjectPaths().raw / "partnership_events.csv")
    assert len(events) >= 23
    assert events["event_id"].is_unique
    assert set(events["partner"]) <= set(PARTNERS)
    assert set(events["event_type"]) <= set(EVENT_TYPES)
    assert set(events["weapon_class"]) - {""} <= set(WEAPON_CLASSES)
    assert events["source_url"].str.startswith("http").all()
    assert events["date"].is_monotonic_increasing
    for event_id, date in [
        ("russia-iran-treaty-signed", "2025-01-17"),
        ("russia-dprk-treaty-signed", "2024-06-19"),
    ]:
        assert str(events.set_index("event_id").at[event_id, "date"].date()) == date


def test_committed_timeline_gives_every_event_a_short_plain_label():
    events = read_events()
    labels = events.set_index("event_id")["label"]
    assert list(events.columns[:2]) == ["event_id", "label"]
    assert labels.str.strip().ne("").all() and labels.is_unique
    assert labels.str.len().max() <= 40  # fits a chart on a phone
    assert labels.str.match(r"[A-Z0-9]").all()  # sentence case
    assert not labels.str.contains(r"_|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b").any()  # no slugs
    assert not (labels.str.lower() == labels.index.str.replace("-", " ")).any()
    assert labels["nk-srbm-first-use"] == "First North Korean missiles used"
    assert labels["russia-dprk-treaty-signed"] == "Russia–North Korea treaty signed"
    assert labels["first-shahed-attack-kyiv"] == "First Shahed attack on Kyiv"
    assert event_labels(events)["russia-iran-treaty-signed"] == "Russia–Iran treaty signed"


def test_good_rows_parse_with_dates_and_sorted(tmp_path):
    events = read_events(_write(tmp_path, GOOD, OTHER), today=TODAY)
    assert events["event_id"].tolist() == ["nk-srbm-first-use", "russia-iran-treaty-signed"]
    assert events["label"].tolist() == [
        "First North Korean missiles used",
        "Russia–Iran treaty signed",
    ]
    assert str(events.at[1, "date"].date()) == "2025-01-17"


@pytest.mark.parametrize(
    ("replace", "column", "why"),
    [
        ("day,iran,", "partner", "unknown partner"),
        ("agreement", "event_type", "unknown event_type"),
        ("2025-01-17", "date", "bad date"),
        ("https://example.org/a", "source_url", "missing source_url"),
        (",AP,", "source_org", "missing"),
        ("Russia and Iran sign treaty", "source_title", "missing"),
        ("checked", "verification", "unknown verification"),
        ("russia-iran-treaty-signed", "event_id", "not a lower-case slug"),
    ],
)
def test_bad_value_names_file_column_row_and_reason(tmp_path, replace, column, why):
    bad_values = {
        "day,iran,": "day,iraq,",
        "agreement": "alliance",
        "2025-01-17": "17.01.2025",
        "https://example.org/a": "",
        ",AP,": ",,",
        "Russia and Iran sign treaty": "",
        "checked": "maybe",
        "russia-iran-treaty-signed": "Russia Iran Treaty",
    }
    path = _write(tmp_path, OTHER, GOOD.replace(replace, bad_values[replace], 1))
    with pytest.raises(DataValidationError) as error:
        read_events(path, today=TODAY)
    message = str(error.value)
    assert str(path) in message
    assert f"'{column}'" in message and why in message
    assert "row 1 (line 3)" in message


@pytest.mark.parametrize(
    ("label", "why"),
    [
        ("", "missing label"),
        ("   ", "missing label"),
        ("A" * (LABEL_MAX_CHARS + 1), f"label longer than {LABEL_MAX_CHARS} characters"),
        ("russia-iran-treaty-signed", "label looks like a key or code"),
        ("russia iran treaty signed", "label looks like a key or code"),
        ("Russia_iran_treaty", "label looks like a key or code"),
        ("NK-SRBM-FIRST-USE", "label looks like a key or code"),
        ('"Treaty signed\n"', "label has a line break or spaces at its ends"),
    ],
)
def test_a_bad_label_names_file_column_row_and_reason(tmp_path, label, why):
    path = _write(tmp_path, OTHER, GOOD.replace("Russia–Iran treaty signed", label, 1))
    with pytest.raises(DataValidationError) as error:
        read_events(path, today=TODAY)
    message = str(error.value)
    assert str(path) in message
    assert "'label'" in message and why in message
    assert "row 1 (line 3)" in message


def test_a_label_may_start_with_a_figure_and_hold_dashes_and_commas(tmp_path):
    row = GOOD.replace("Russia–Iran treaty signed", '"6,000 workers sent, Kim–Putin deal"', 1)
    events = read_events(_write(tmp_path, row), today=TODAY)
    assert events.at[0, "label"] == "6,000 workers sent, Kim–Putin deal"


def test_duplicate_label_names_both_rows(tmp_path):
    other = OTHER.replace("First North Korean missiles used", "Russia–Iran treaty SIGNED", 1)
    path = _write(tmp_path, GOOD, other)
    with pytest.raises(DataValidationError, match=r"duplicate label.*row 0 \(line 2\).*row 1"):
        read_events(path, today=TODAY)


def test_a_timeline_without_a_label_column_is_refused(tmp_path):
    path = tmp_path / "partnership_events.csv"
    header = HEADER.replace("event_id,label,", "event_id,")
    path.write_text(header + "\n" + GOOD.replace("Russia–Iran treaty signed,", "", 1) + "\n")
    with pytest.raises(DataValidationError, match=r"missing column 'label'"):
        read_events(path, today=TODAY)


def test_event_label_falls_back_to_words_for_a_table_without_labels():
    assert event_labels(None) == {}
    assert event_labels(pd.DataFrame({"event_id": ["a"], "date": ["2024-01-01"]})) == {}
    assert event_label("nk-srbm-first-use", {}) == "nk srbm first use"
    assert event_label("a", {"a": "First use"}) == "First use"


def test_duplicate_event_id_names_both_rows(tmp_path):
    path = _write(tmp_path, GOOD, GOOD.replace("2025-01-17", "2025-01-18"))
    with pytest.raises(DataValidationError, match=r"duplicate event_id.*row 0 \(line 2\).*row 1"):
        read_events(path, today=TODAY)


def test_future_date_and_unknown_weapon_class_are_refused(tmp_path):
    path = _write(
        tmp_path,
        GOOD.replace("2025-01-17", "2027-01-01").replace("agreement,,", "agreement,shahed,"),
    )
    with pytest.raises(DataValidationError) as error:
        read_events(path, today=TODAY)
    assert "date in the future" in str(error.value)
    assert "unknown weapon_class" in str(error.value)


def test_month_precision_date_must_be_the_first(tmp_path):
    path = _write(tmp_path, OTHER.replace("2023-12-01", "2023-12-30"))
    with pytest.raises(DataValidationError, match="month-precision date must be the 1st"):
        read_events(path, today=TODAY)


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "partnership_events.csv"
    header = HEADER.replace("source_url", "source_link")
    path.write_text(header + "\n" + GOOD + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"'source_url' \(renamed to 'source_link'"):
        read_events(path, today=TODAY)


@pytest.mark.parametrize(
    ("field", "column", "why"),
    [
        ("russia-iran-treaty-signed", "event_id", "not a lower-case slug"),
        ("https://example.org/a", "source_url", "not an http(s) address"),
    ],
)
def test_a_value_with_a_trailing_newline_is_refused(tmp_path, field, column, why):
    # A quoted CSV field can hold a newline; ``^...$`` patterns let one through at the end.
    path = _write(tmp_path, GOOD.replace(field, f'"{field}\n"', 1))
    with pytest.raises(DataValidationError) as error:
        read_events(path, today=TODAY)
    message = str(error.value)
    assert f"'{column}'" in message and why in message and "row 0 (line 2)" in message


def test_without_a_path_the_timeline_of_the_given_project_root_is_read(tmp_path):
    other = tmp_path / "other"
    (other / "data" / "raw").mkdir(parents=True)
    _write(other / "data" / "raw", OTHER)
    assert events_path(other) == other / "data" / "raw" / "partnership_events.csv"
    assert events_path() == ProjectPaths().raw / "partnership_events.csv"
    events = read_events(root=other, today=TODAY)
    assert events["event_id"].tolist() == ["nk-srbm-first-use"]
    assert events.at[0, "note"] == "date is the month of the first reports"
