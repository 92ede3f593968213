"""The package reads as its stages: imports go one way (ground, results, data, models, findings,
figures, publish, calibration, command line) and no module imports itself back through others;
the calibration suite, which simulates data and calls the models, reads nothing above them.

The graph counts every import, those inside functions included, read from the source (nothing
is imported to check it).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"

#: Layers from the bottom up; a module may import its own layer and those below, never above.
LAYERS: tuple[str, ...] = (
    "ground",
    "results",
    "data",
    "models",
    "findings",
    "figures",
    "publish",
    "calibration",
    "cli",
)
#: Top-level modules by layer; a subpackage's modules take the subpackage's name as layer.
TOP_LEVEL: dict[str, str] = {
    "analysis": "ground",
    "analysis.paths": "ground",
    "analysis.errors": "ground",
    "analysis.atomic": "ground",
    "analysis.freeze": "ground",
    "analysis.names": "ground",
    "analysis.params": "ground",
    "analysis.vocabulary": "ground",
    "analysis.modelresult": "ground",
    "analysis.results": "results",
    "analysis.__main__": "cli",
}
STAGES = ("data", "models", "findings", "figures", "publish", "calibration")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in STAGES:
        return parts[1]
    if module not in TOP_LEVEL:
        raise AssertionError(f"{module} has no layer: add it to TOP_LEVEL or a stage package")
    return TOP_LEVEL[module]


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package modules that the file at ``path`` imports anywhere in its code."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    return {name: imports_of(path, set(files)) for name, path in files.items()}


def _pop_group(stack: list[str], on_stack: set[str], root: str) -> list[str]:
    """Pop ``stack`` down to ``root``: the members of one strongly connected group."""
    group = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        group.append(member)
        if member == root:
            return group


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = _pop_group(stack, on_stack, node)
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    rank = {name: LAYERS.index(layer(name)) for name in graph}
    return sorted(
        f"{src} ({layer(src)}) imports {dst} ({layer(dst)})"
        for src, targets in graph.items()
        for dst in targets
        if rank[dst] > rank[src]
    )


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_every_module_belongs_to_a_layer(graph):
    for name in graph:
        assert layer(name) in LAYERS


def test_no_module_imports_a_higher_stage(graph):
    assert upward_imports(graph) == []


def test_the_import_graph_has_no_cycle(graph):
    assert cycles(graph) == []


def test_report_and_batch_share_execution_and_neither_imports_the_other(graph):
    report, batch = "analysis.publish.report", "analysis.publish.batch"
    assert batch not in graph[report] and report not in graph[batch]
    runners = {name for name, targets in graph.items() if "analysis.publish.execute" in targets}
    assert runners == {"analysis.publish.scheduler", "analysis.publish.sets"}


def test_the_calibration_suite_reads_only_the_models_and_what_they_stand_on(graph):
    allowed = {"ground", "results", "data", "models", "calibration"}
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if layer(module) == "calibration"
        for target in targets
        if layer(target) not in allowed
    )
    assert not wrong, wrong


def test_the_checks_catch_an_upward_import_and_a_cycle():
    graph = {
        "analysis.data.series": {"analysis.figures.style"},
        "analysis.figures.style": {"analysis.data.series"},
    }
    assert upward_imports(graph) == [
        "analysis.data.series (data) imports analysis.figures.style (figures)"
    ]
    assert cycles(graph) == [["analysis.data.series", "analysis.figures.style"]]


def test_relative_and_lazy_imports_are_seen(tmp_path, monkeypatch):
    pkg = tmp_path / "analysis"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "__init__.py").write_text("")
    (pkg / "paths.py").write_text("")
    (pkg / "data" / "series.py").write_text("def f():\n    from ..paths import X\n")
    monkeypatch.setitem(globals(), "PACKAGE", pkg)
    assert import_graph()["analysis.data.series"] == {"analysis.paths"}


#: The functions that fit a model; findings and figures take their results, never call them.
FITS = frozenset(
    {
        "fit_trend",
        "fit_trend_strikes",
        "fit_trends",
        "regimes_for",
        "fit_regimes",
        "event_study",
        "event_summary",
        "event_studies",
        "backtest",
        "forecast",
        "forecast_for",
        "run_group",
        "interception_model",
        "salvo_model",
    }
)


def model_calls(path: Path) -> set[str]:
    """The fitting functions that the module at ``path`` imports from ``analysis.models``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis.models"):
            found.update(alias.name for alias in node.names if alias.name in FITS)
    return found


@pytest.mark.parametrize("stage", ["findings", "figures"])
def test_findings_and_figures_never_fit_a_model(stage):
    fitting = {p.name: model_calls(p) for p in (PACKAGE / stage).glob("*.py")}
    assert {name: calls for name, calls in fitting.items() if calls} == {}
