"""Shared fixtures and test tiers.

The real snapshot: its raw files are fetched (as ``python -m analysis fetch --release R`` does,
from data/raw, the mirror or the public source) and built into a temporary folder once per
session. Tiers: every test gets ``unit``, ``kernel``, ``browser`` or ``real_data`` (see
``pytest_collection_modifyitems``); ``slow`` comes on top.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis.data.build import build
from analysis.data.fetch import Downloader, fetch, kaggle_download
from analysis.errors import FetchError
from analysis.paths import MIRROR_ENV, ProjectPaths

RELEASE = "2026-04-05"
PREVIOUS_RELEASE = "2026-03-01"


class _RecordingDownload:
    """A download that remembers why it failed (to tell "offline" from a defective file)."""

    def __init__(self, downloader: Downloader) -> None:
        self.downloader = downloader
        self.failure: str | None = None

    def __call__(self, release: str, dataset: dict) -> Path:
        try:
            return self.downloader(release, dataset)
        except Exception as exc:
            first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
            self.failure = f"{type(exc).__name__}: {first_line}"
            raise


def fetch_or_reason(
    release: str,
    *,
    paths: ProjectPaths | None = None,
    mirrors: list[Path] | None = None,
    downloader: Downloader = kaggle_download,
) -> Path | str:
    """The verified raw folder of ``release`` (fetched when missing), or why it cannot be
    fetched: no copy, no mirror and the public source unreachable. Any other fetch error (a
    wrong hash, a defective file) is raised: a failure, never a skip."""
    paths = paths or ProjectPaths()
    download = _RecordingDownload(downloader)
    try:
        return fetch(release, paths=paths, mirrors=mirrors, downloader=download).folder
    except FetchError:
        if download.failure is None:
            raise
        return (
            f"real release {release} is not in {paths.raw_release(release)}, no mirror holds it "
            f"and the public source is unreachable ({download.failure}). Set {MIRROR_ENV} to a "
            f"folder holding {release}/ and run `python -m analysis fetch --release {release}`"
        )


_fetched = functools.cache(fetch_or_reason)


def real_raw_dir(release: str) -> Path:
    """The raw files of a real release in data/raw, fetched first when missing; the test skips
    only when the fetch is impossible, saying what to run."""
    fetched = _fetched(release)
    if isinstance(fetched, str):
        pytest.skip(fetched)
    return fetched


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newest real release built into a temporary folder (once per session)."""
    out = tmp_path_factory.mktemp("processed") / RELEASE
    build(real_raw_dir(RELEASE), out)
    return out


@pytest.fixture(scope="session")
def real_strikes(real_build: Path) -> pd.DataFrame:
    return pd.read_parquet(real_build / "strikes.parquet")


@pytest.fixture(scope="session")
def real_waves(real_build: Path) -> pd.DataFrame:
    return pd.read_parquet(real_build / "waves.parquet")


@pytest.fixture(scope="session")
def real_processed(tmp_path_factory: pytest.TempPathFactory, real_build: Path) -> Path:
    """A processed folder holding both real releases: the newest (``real_build``, linked, not
    rebuilt) and the previous one built beside it. A folder of its own, so that the folder of
    ``real_build`` holds one release whichever test runs first."""
    folder = tmp_path_factory.mktemp("processed_both")
    (folder / RELEASE).symlink_to(real_build, target_is_directory=True)
    build(real_raw_dir(PREVIOUS_RELEASE), folder / PREVIOUS_RELEASE)
    return folder


@pytest.fixture(scope="session")
def real_previous_strikes(real_processed: Path) -> pd.DataFrame:
    return pd.read_parquet(real_processed / PREVIOUS_RELEASE / "strikes.parquet")


REAL_FIXTURES = {
    "real_build",
    "real_strikes",
    "real_waves",
    "real_processed",
    "real_previous_strikes",
}
#: Tests that drive headless Chromium (tests/test_published_report.py, tests/test_batch.py).
BROWSER_NAME = "headless_chromium"
#: The tiers that are not ``unit``: a test with none of them is a unit test.
NOT_UNIT = {"kernel", "browser", "real_data"}
#: Tests that execute notebooks (papermill, a report) outside the files marked ``kernel``, by
#: node-id suffix without parameters.
KERNEL = {
    "test_findings_forecast.py::test_notebook_records_findings_files_and_its_parameters",
    "test_findings_forecast.py::test_a_bad_parameter_stops_the_notebook_in_the_validation_cell",
    "test_findings_partnerships.py::test_notebook_records_findings_and_files_for_non_default_parameters",
    "test_findings_partnerships.py::test_a_bad_parameter_stops_in_the_validation_cell",
    "test_findings_salvo.py::test_notebook_records_findings_and_files_for_its_parameters",
    "test_findings_salvo.py::test_a_bad_parameter_stops_the_notebook_in_its_validation_cell",
    "test_findings_trends.py::test_notebook_publishes_what_its_parameters_ask_for",
    "test_published_report.py::test_default_report_publishes_every_notebook_with_findings_and_provenance",
    "test_published_report.py::test_report_opens_in_headless_chromium_without_errors",
    "test_published_report.py::test_every_page_reads_at_desktop_and_phone_width_in_headless_chromium",
    "test_published_report.py::test_pages_show_no_missing_value_codes_and_the_landing_page_opens_briefly",
    "test_published_report.py::test_every_page_speaks_plainly_outside_its_method_folds",
    "test_published_report.py::test_each_card_reads_the_same_on_the_page_that_made_it",
    "test_report.py::test_report_for_a_period",
    "test_report.py::test_failing_notebook_keeps_the_error_and_names_the_cell",
    "test_warm.py::test_a_notebook_sees_nothing_the_one_before_it_defined_or_changed",
    "test_warm.py::test_the_executed_copy_is_the_papermill_record_with_the_parameters_injected",
    "test_warm.py::test_a_kernel_is_replaced_after_an_error_and_after_its_quota",
    "test_published_report.py::test_warm_and_fresh_kernels_publish_the_same_results_and_tables",
}
#: Tests measured at more than about 10 s on 2 cores (`pytest --durations`; a module fixture's
#: time counts for the first test that uses it), by node-id suffix without parameters; measure
#: again and update when a test gets much faster or slower.
SLOW = {
    "test_batch.py::test_batch_publishes_every_set_and_an_index_with_status_key_figure_and_links",
    "test_batch.py::test_unchanged_sets_are_skipped_and_force_reruns_them",
    "test_batch.py::test_changed_inputs_rerun_exactly_the_sets_that_read_them",
    "test_batch.py::test_a_failing_set_does_not_stop_the_others_and_keeps_its_error",
    "test_batch.py::test_an_interrupted_batch_keeps_finished_reports_and_the_next_run_resumes",
    "test_batch.py::test_killing_a_forced_rerun_leaves_the_good_report_in_place",
    "test_batch.py::test_the_same_grid_runs_on_a_dask_local_cluster",
    "test_batch.py::test_batch_index_opens_in_headless_chromium_with_every_link_resolving",
    "test_batch.py::test_the_curated_timeline_is_an_input_and_the_source_registry_is_not",
    "test_orphans.py::test_a_killed_batch_leaves_no_worker_or_kernel_and_the_next_run_cleans_up",
    "test_build_scaling.py::test_measure_reports_one_row_per_factor",
    "test_findings_forecast.py::test_notebook_records_findings_files_and_its_parameters",
    "test_findings_forecast.py::test_a_bad_parameter_stops_the_notebook_in_the_validation_cell",
    "test_findings_partnerships.py::test_notebook_records_findings_and_files_for_non_default_parameters",
    "test_findings_salvo.py::test_notebook_records_findings_and_files_for_its_parameters",
    "test_findings_salvo.py::test_a_bad_parameter_stops_the_notebook_in_its_validation_cell",
    "test_findings_trends.py::test_notebook_publishes_what_its_parameters_ask_for",
    "test_published_report.py::test_default_report_publishes_every_notebook_with_findings_and_provenance",
    "test_report.py::test_report_for_a_period",
    "test_report.py::test_failing_notebook_keeps_the_error_and_names_the_cell",
    "test_warm.py::test_a_kernel_is_replaced_after_an_error_and_after_its_quota",
    "test_published_report.py::test_warm_and_fresh_kernels_publish_the_same_results_and_tables",
}


def _listed(item: pytest.Item, suffixes: set[str]) -> bool:
    """Whether the test's node id, without parameters, ends with one of ``suffixes``."""
    unparametrized = item.nodeid.split("[", 1)[0]
    return any(unparametrized.endswith(suffix) for suffix in suffixes)


def _tier(item: pytest.Item) -> None:
    """Add the markers a test's fixtures, name and listing imply; ``unit`` when none applies."""
    if REAL_FIXTURES & set(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.real_data)
    if BROWSER_NAME in item.name:
        item.add_marker(pytest.mark.browser)
    if _listed(item, KERNEL):
        item.add_marker(pytest.mark.kernel)
    if not NOT_UNIT & {mark.name for mark in item.iter_markers()}:
        item.add_marker(pytest.mark.unit)
    if _listed(item, SLOW):
        item.add_marker(pytest.mark.slow)


def _stale(items: list[pytest.Item], suffixes: set[str]) -> list[str]:
    """Listed tests whose file was collected but that match no test (renamed or removed)."""
    ids = [item.nodeid.split("[", 1)[0] for item in items]
    files = {i.split("::", 1)[0].rsplit("/", 1)[-1] for i in ids}
    return sorted(
        s for s in suffixes if s.split("::", 1)[0] in files and not any(i.endswith(s) for i in ids)
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test gets its tier: ``real_data`` when it uses the real snapshot (marked or not),
    ``browser`` when it opens Chromium, ``kernel`` when listed in ``KERNEL``, ``unit`` when it
    is none of kernel, browser and real_data; ``slow`` on top when listed in ``SLOW``."""
    for item in items:
        _tier(item)
    stale = _stale(items, KERNEL | SLOW)
    if stale:
        warnings.warn(f"tests/conftest.py lists tests that do not exist: {stale}", stacklevel=1)
