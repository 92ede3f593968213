"""The report notebooks and the parameters each declares, read without starting a kernel."""

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
