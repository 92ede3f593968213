"""What a notebook publishes beside its HTML: PNG charts, CSV tables and a JSON record.

The JSON record (``<notebook>.results.json``) holds the run's headline findings and numbers,
each computed by the package; the report's landing page and the tests read it, so no number
in the report is typed by hand. Every write is atomic.
"""

from __future__ import annotations

import base64
import io
import json
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.atomic import write_json, write_with
from analysis.errors import AnalysisError
from analysis.paths import RESULTS_SUFFIX


class ResultsError(AnalysisError):
    """A ``*.results.json`` record that cannot be read (damaged, or not a record)."""


#: Folder under ``reports/`` for notebooks run by hand (no ``output_dir``).
INTERACTIVE = "interactive"
#: Charts are saved at twice the pixels they are shown at (200 per inch, shown at 100), so
#: that they stay crisp on high-density screens and when a reader zooms in.
FIGURE_DPI = 200
SHOWN_DPI = 100


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels of a PNG image, from its header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def figure_alt(fig: Figure) -> str:
    """A chart's alt text: the figure's title (the finding; its wrapped lines joined), else the
    first line of the first panel title; ``"Chart"`` for a chart without any title."""
    finding = " ".join(fig.get_suptitle().split())
    if finding:
        return finding
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            title = ax.get_title(loc=loc).strip()
            if title:
                return " ".join(title.splitlines()[0].split())
    return "Chart"


@dataclass(frozen=True)
class SavedFigure:
    """A chart as saved beside the report: the PNG at twice the pixels, its size when shown
    (half the PNG's pixels) and its alt text. Jupyter displays it as that PNG with ``width``,
    ``height`` and ``alt`` metadata, which the page template writes on the ``<img>``;
    ``figure`` is the matplotlib Figure it was drawn from."""

    figure: Figure
    png: bytes
    width: int
    height: int
    alt: str

    def _repr_mimebundle_(self, include=None, exclude=None) -> tuple[dict, dict]:
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.alt}
        meta = {"image/png": {"width": self.width, "height": self.height, "alt": self.alt}}
        return data, meta


def _plain(value: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, NaN/inf to None, dates to ISO text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


@dataclass
class Publisher:
    """Collects one notebook run's outputs in ``folder`` (created on first write).

    ``table`` returns its argument and ``figure`` the saved chart (:class:`SavedFigure`), so a
    notebook cell can save and display in one line.
    """

    folder: Path
    notebook: str
    title: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)

    def _path(self, name: str, suffix: str) -> Path:
        return self.folder / f"{self.notebook}__{name}{suffix}"

    def figure(self, fig: Figure, name: str, caption: str = "") -> SavedFigure:
        """Save ``fig`` as PNG beside the report, at twice the pixels it is shown at, and return
        it for display (as that PNG, with its shown size and alt text).

        The image is the whole figure, uncropped: the charts' constrained layout keeps every
        text inside it, so the text sizes the charts are built with hold on the page."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=FIGURE_DPI)
        png = buffer.getvalue()
        pixels_wide, pixels_high = png_size(png)
        scale = SHOWN_DPI / FIGURE_DPI
        saved = SavedFigure(
            fig, png, round(pixels_wide * scale), round(pixels_high * scale), figure_alt(fig)
        )
        path = self._path(name, ".png")
        write_with(path, lambda p: p.write_bytes(png))
        self._remember(
            path.name, "figure", caption, alt=saved.alt, width=saved.width, height=saved.height
        )
        return saved

    def table(self, df: pd.DataFrame, name: str, caption: str = "") -> pd.DataFrame:
        """Save ``df`` as CSV beside the report and return it for display."""
        path = self._path(name, ".csv")
        write_with(path, lambda p: df.to_csv(p, index=not isinstance(df.index, pd.RangeIndex)))
        self._remember(path.name, "table", caption)
        return df

    def finding(
        self,
        key: str,
        text: str,
        *,
        value: Any = None,
        low: Any = None,
        high: Any = None,
        unit: str = "",
        headline: bool = True,
    ) -> str:
        """Record a finding in plain words with its number and interval; returns the text."""
        self.findings = [f for f in self.findings if f["key"] != key]
        self.findings.append(
            {
                "key": key,
                "text": text,
                "value": value,
                "low": low,
                "high": high,
                "unit": unit,
                "headline": headline,
            }
        )
        self.write()
        return text

    def number(self, key: str, value: Any) -> Any:
        """Record a single computed number (for tests and the landing page)."""
        self.numbers[key] = value
        self.write()
        return value

    def _remember(self, name: str, kind: str, caption: str, **extra: Any) -> None:
        self.files = [f for f in self.files if f != name]
        self.files.append(name)
        entry = {"kind": kind, "caption": caption, **extra}
        self.numbers.setdefault("_captions", {})[name] = entry
        self.write()

    @property
    def results_path(self) -> Path:
        return self.folder / f"{self.notebook}{RESULTS_SUFFIX}"

    def write(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        record = {
            "notebook": self.notebook,
            "title": self.title,
            "parameters": self.parameters,
            "findings": self.findings,
            "numbers": self.numbers,
            "files": self.files,
        }
        return write_json(_plain(record), self.results_path)


def read_results(folder: Path) -> dict[str, dict]:
    """Every ``*.results.json`` in ``folder``, by notebook name."""
    out = {}
    for path in sorted(Path(folder).glob(f"*{RESULTS_SUFFIX}")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            out[str(record["notebook"])] = record
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ResultsError(
                f"{path}: not a readable results record "
                f"({type(exc).__name__}: {str(exc)[:120]}); run the notebook "
                "again to rewrite it"
            ) from None
    return out


def interactive_folder(root: str | Path | None = None) -> Path:
    """``reports/interactive/`` of the project in ``root`` (None: this checkout)."""
    from analysis.paths import ProjectPaths

    paths = ProjectPaths.at(root)
    return paths.reports / INTERACTIVE


def publisher(
    notebook: str,
    title: str,
    output_dir: str | Path | None = None,
    *,
    root: str | Path | None = None,
    **parameters: Any,
) -> Publisher:
    """The notebook's publisher; ``output_dir`` None (an interactive run) means
    ``reports/interactive/`` of the project in ``root`` (None: this checkout). Starts a fresh
    record for this run; ``parameters`` are recorded in it."""
    folder = Path(output_dir) if output_dir else interactive_folder(root)
    pub = Publisher(folder, notebook, title, _plain(parameters))
    pub.write()
    return pub
