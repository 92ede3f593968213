"""The report notebooks, the parameters each declares and the time each expects, read without
starting a kernel."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from analysis.errors import AnalysisError

PARAMETERS_TAG = "parameters"
_NUMBERED = re.compile(r"^\d\d_")


def report_notebooks(folder: Path) -> list[Path]:
    """The report's notebooks in ``folder``, in their numbered order (``NN_name.ipynb``)."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if _NUMBERED.match(p.name))


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's cell tagged ``parameters`` (what papermill can set)."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise AnalysisError(f"{notebook}: not a readable notebook ({exc})") from None
    for cell in nb.get("cells", []):
        if PARAMETERS_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        names: set[str] = set()
        for node in ast.parse(source).body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else ([node.target] if isinstance(node, ast.AnnAssign) else [])
            )
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names
    return set()


def declared_by_notebook(folder: Path) -> dict[str, set[str]]:
    """``{stem: declared parameters}`` for every report notebook in ``folder``."""
    return {p.stem: declared_parameters(p) for p in report_notebooks(folder)}


def seconds_or_none(value: object) -> float | None:
    """``value`` as a non-negative number of seconds, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value >= 0 else None


def declared_seconds(notebook: Path) -> float:
    """The seconds a notebook declares it runs (``{"analysis": {"expected_seconds": N}}`` in
    its metadata); 0 when it declares none or cannot be read."""
    try:
        nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    metadata = nb.get("metadata") if isinstance(nb, dict) else None
    declared = metadata.get("analysis") if isinstance(metadata, dict) else None
    if not isinstance(declared, dict):
        return 0.0
    return seconds_or_none(declared.get("expected_seconds")) or 0.0
