"""Write files so that a reader sees either the old complete file or the new complete one."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success only."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_with(target: Path, writer: Callable[[Path], Any]) -> Path:
    """Call ``writer(tmp)`` and move the result into place atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return target


def write_parquet(df: pd.DataFrame, target: Path) -> Path:
    return write_with(target, lambda p: df.to_parquet(p, index=False))


def write_json(obj: Any, target: Path) -> Path:
    text = json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n"
    return write_with(target, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes_from(source: Path, target: Path) -> Path:
    """Copy ``source`` to ``target`` atomically (a half-copied raw file never appears)."""
    return write_with(target, lambda p: p.write_bytes(source.read_bytes()))
