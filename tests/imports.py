"""Which heavy libraries a piece of code loads, measured in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "papermill", "nbclient")


def heavy_loaded(code: str, heavy: tuple[str, ...] = HEAVY) -> tuple[list[str], str]:
    """The ``heavy`` modules loaded after running ``code`` in a new interpreter at the
    project root, and what the code printed before."""
    probe = (
        f"{code}\nimport json as _json, sys as _sys\n"
        f"print(_json.dumps(sorted(m for m in {heavy!r} if m in _sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    *printed, loaded = out.stdout.strip().splitlines()
    return json.loads(loaded), "\n".join(printed)
