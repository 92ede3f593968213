"""Write files so that a reader sees either the old complete file or the new complete one.

A write that fails (a full disk, a read-only folder) raises :class:`WriteError` naming the
target and the reason, and leaves neither a temporary file nor a half-written target behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import AnalysisError

if TYPE_CHECKING:
    import pandas as pd


class WriteError(AnalysisError):
    """An output could not be written (disk full, no permission, a file where a folder
    should be); what was there before is unchanged."""


def reason(exc: OSError, *own: Path) -> str:
    """The operating system's words for an ``OSError`` (``No space left on device``), with the
    file it concerns unless that is one of ``own`` (already named by the caller)."""
    text = exc.strerror or str(exc) or type(exc).__name__
    other = exc.filename is not None and Path(exc.filename) not in own
    return f"{text} ({exc.filename})" if other and exc.strerror else text


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success only.

    An ``OSError`` while creating, writing or renaming becomes a :class:`WriteError`; the
    temporary file is removed in every case.
    """
    tmp_path: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp_path = Path(tmp)
        umask = os.umask(0)
        os.umask(umask)
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    except OSError as exc:
        why = reason(exc, target, *([tmp_path] if tmp_path else []))
        raise WriteError(f"cannot write {target}: {why}; nothing was replaced") from exc
    finally:
        if tmp_path is not None:
            with contextlib.suppress(OSError):
                tmp_path.unlink(missing_ok=True)


def write_with(target: Path, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp)`` and move the result into place atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return target


def write_parquet(df: pd.DataFrame, target: Path) -> Path:
    return write_with(target, lambda p: df.to_parquet(p, index=False))


def json_text(obj: Any) -> str:
    """The project's JSON layout: indented, non-ASCII kept, one final newline."""
    return json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n"


def write_json(obj: Any, target: Path) -> Path:
    text = json_text(obj)
    return write_with(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_from(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` atomically (a half-copied raw file never appears)."""
    return write_with(target, lambda p: p.write_bytes(source.read_bytes()))
