"""Planning and running parameter sets: what a report (one set) and a batch (a grid of sets)
both do. Resolves each set's release, builds its data when needed, decides from fingerprints
which sets are out of date, and runs those through the scheduler.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.data.registry import RAW_FILES, latest_local_release, sha256_file
from analysis.errors import AnalysisError
from analysis.freeze import (
    build_is_current,
    fingerprint_files,
    fingerprint_value,
    notebooks_code_fingerprint,
    software_versions,
)
from analysis.names import RELEASE, check_release
from analysis.paths import ProjectPaths
from analysis.publish.grid import ParameterSet
from analysis.publish.runs import (
    current_run,
    read_state,
)
from analysis.publish.scheduler import Interrupted, SetOutcome, SetSpec, make_executor, run_sets


@dataclass(frozen=True)
class PlannedSet:
    spec: SetSpec
    run: bool
    reason: str


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def resolve_release(paths: ProjectPaths, release: str | None, where: str = "release") -> str:
    """The release a set reads: as given, else the newest fetched, else the newest built.

    A given release must be a release name (an ISO date), never a path: it is joined to the
    project's raw and processed folders, and the build writes there.
    """
    if release:
        return check_release(release, where)
    fetched = latest_local_release(paths.raw)
    if fetched:
        return fetched
    built = sorted(
        p.parent.name
        for p in paths.processed.glob("*/manifest.json")
        if RELEASE.fullmatch(p.parent.name)
    )
    if not built:
        raise AnalysisError(
            f"no data release fetched under {paths.raw} or built under "
            f"{paths.processed}; run `make build` (fetch, then build) first"
        )
    return built[-1]


def ensure_built(paths: ProjectPaths, release: str) -> dict:
    """The release's build manifest, (re)building first when its raw files or the build
    code changed since (raw files missing: the existing build is used as it is)."""
    raw_dir, out = paths.raw_release(release), paths.processed_release(release)
    manifest = _read_json(out / "manifest.json")
    if all((raw_dir / f).is_file() for f in RAW_FILES):
        inputs = {f: sha256_file(raw_dir / f) for f in RAW_FILES}
        if not build_is_current(out, inputs):
            from analysis.data.build import build

            build(raw_dir, out)
            manifest = _read_json(out / "manifest.json")
    elif not manifest:
        raise AnalysisError(
            f"release {release} is neither fetched (under {paths.raw}) nor "
            f"built (under {paths.processed}); run `python -m analysis fetch "
            f"--release {release}` first"
        )
    return manifest


def _release_provenance(paths: ProjectPaths, release: str) -> dict:
    return _read_json(paths.processed_release(release) / "quality.json").get("inputs", {})


def set_key(
    notebooks: list[Path], parameters: dict, manifest: dict, shared: dict, code: str | None = None
) -> str:
    """Fingerprint of everything a set's report depends on; ``code``: that of the package code
    its notebooks can run (computed here when not given)."""
    return fingerprint_value(
        {
            "notebooks": fingerprint_files(notebooks),
            "code": code if code is not None else notebooks_code_fingerprint(notebooks),
            "parameters": parameters,
            "data": {"inputs": manifest.get("inputs"), "code": manifest.get("code")},
            **shared,
        }
    )


def shared_inputs(paths: ProjectPaths) -> dict:
    """Inputs every set reads besides its release: curated tables, forecast snapshots, the
    calibration table its landing page carries, code, and the versions of Python and the
    libraries that compute and render it."""
    # The curated tables the notebooks read (the partnership timeline); not sources.json,
    # which changes with every new release, even for the sets pinned to an older one.
    curated = [p for p in paths.raw.glob("*.csv") if p.is_file()]
    snapshots = (
        [p for p in paths.forecasts.rglob("*") if p.is_file()] if paths.forecasts.is_dir() else []
    )
    calibration = [
        p
        for folder in (paths.reports / "calibration", paths.root / "docs" / "calibration")
        for p in folder.glob("calibration.*")
        if p.is_file()
    ]
    return {
        "curated": fingerprint_files(curated) if curated else None,
        "calibration": fingerprint_files(calibration, paths.root) if calibration else None,
        "forecasts": fingerprint_files(snapshots, paths.forecasts) if snapshots else None,
        "package": __version__,
        "software": software_versions(),
    }


def check_sets(sets: list[ParameterSet], where: str, notebooks: list[Path]) -> None:
    """Check every set's release and parameter values, by the same rules as the notebooks
    that will run, before anything runs or moves."""
    from analysis.params import check_values

    stems = [p.stem for p in notebooks]
    for ps in sets:
        spot = f"{where}: set {ps.name!r}" if where else f"report {ps.name!r}"
        if ps.parameters.get("release"):
            check_release(ps.parameters["release"], f"{spot}: parameter 'release'")
        check_values(ps.parameters, spot, stems)


def plan(
    paths: ProjectPaths,
    container: Path,
    sets: list[ParameterSet],
    notebooks: list[Path],
    force: bool = False,
) -> list[PlannedSet]:
    """Resolve each set's release (building it when needed) and decide whether it runs."""
    shared = shared_inputs(paths)
    code = notebooks_code_fingerprint(notebooks)  # the same notebooks for every set
    manifests: dict[str, dict] = {}
    planned = []
    for ps in sets:
        release = resolve_release(paths, ps.parameters.get("release"))
        if release not in manifests:
            manifests[release] = ensure_built(paths, release)
        parameters = {**ps.parameters, "release": release}
        key = set_key(notebooks, parameters, manifests[release], shared, code)
        spec = SetSpec(
            container=container,
            name=ps.name,
            parameters=parameters,
            notebooks=tuple(notebooks),
            key=key,
            cwd=paths.notebooks,
            processed=paths.processed,
            root=paths.root,
            inputs=_release_provenance(paths, release),
        )
        state = read_state(container, ps.name)
        published = current_run(container, ps.name) is not None
        if force:
            planned.append(PlannedSet(spec, True, "forced"))
        elif state.get("key") == key and state.get("status") == "ok" and published:
            planned.append(PlannedSet(spec, False, "up to date"))
        elif state.get("status") == "failed":
            planned.append(PlannedSet(spec, True, "failed last time"))
        else:
            planned.append(PlannedSet(spec, True, "inputs changed" if state else "new"))
    return planned


def with_git_commit(planned: list[PlannedSet], root: Path) -> list[PlannedSet]:
    """Add the git commit to the sets that run (asked only then: it costs a subprocess)."""
    if not any(p.run for p in planned):
        return planned
    from dataclasses import replace

    from analysis.publish.execute import git_commit

    commit = git_commit(root)
    return [PlannedSet(replace(p.spec, git_commit=commit), p.run, p.reason) for p in planned]


def execute(
    planned: list[PlannedSet],
    jobs: int,
    dask: str | None,
    on_outcome: Callable[[SetOutcome], None] = lambda o: None,
    progress: bool = True,
    fresh_kernels: bool = False,
) -> tuple[dict[str, SetOutcome], bool]:
    """Run the planned sets that need it; return their outcomes and whether interrupted
    (``fresh_kernels``: one kernel per notebook instead of each worker's kept one)."""
    todo = [p.spec for p in planned if p.run]
    outcomes: dict[str, SetOutcome] = {}
    if not todo:
        return outcomes, False
    from tqdm import tqdm

    bar = tqdm(
        total=len(todo), unit="set", desc="report sets", disable=not progress, dynamic_ncols=True
    )
    running: set[str] = set()

    def show() -> None:
        failed = sum(not o.ok for o in outcomes.values())
        bar.set_postfix_str(f"running {len(running)}, failed {failed}")

    def on_event(kind: str, name: str) -> None:
        running.add(name)
        show()

    executor = make_executor(jobs, dask)
    try:
        for outcome in run_sets(todo, executor, on_event, fresh_kernels):
            outcomes[outcome.name] = outcome
            running.discard(outcome.name)
            if progress:
                state = "made" if outcome.ok else "FAILED"
                bar.write(f"{state}: {outcome.name} ({outcome.seconds:.0f} s)")
            bar.update(1)
            show()
            on_outcome(outcome)
    except Interrupted:
        return outcomes, True
    finally:
        bar.close()
    return outcomes, False
