"""Fingerprints of a stage's inputs, so that work whose inputs did not change is not redone.

Light on purpose (standard library only): the no-change path of ``build`` and ``batch`` must
decide to skip without importing pandas or papermill.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis import __version__

PACKAGE = Path(__file__).resolve().parent
BUILD_OUTPUTS = ("strikes.parquet", "waves.parquet", "quality.json")
BUILD_MANIFEST = "manifest.json"


def fingerprint_files(files: Iterable[Path], root: Path | None = None) -> str:
    """Hash of the files' names (relative to ``root`` when given) and contents, in name order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in files):
        name = path.relative_to(root) if root is not None else path.name
        digest.update(str(name).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def code_fingerprint(package: Path = PACKAGE) -> str:
    """Hash of the code the ``build`` stage runs: the import closure of its module."""
    return fingerprint_files(import_closure(["import analysis.data.build"], package), package)


def template_files(package: Path = PACKAGE) -> list[Path]:
    """The HTML templates every rendered notebook goes through."""
    return [
        p
        for p in (package / "publish" / "templates").rglob("*")
        if p.is_file()
        and p.suffix in {".j2", ".css", ".json", ".tpl"}
        and "__pycache__" not in p.parts
    ]


def notebook_code(notebook: Path) -> list[str]:
    """The code cells of a notebook, IPython magics and shell lines left out."""
    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    out = []
    for cell in cells:
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            out.append(
                "\n".join(
                    line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))
                )
            )
    return out


def _module_file(name: str, package: Path) -> Path | None:
    """The file of module ``analysis.x.y`` under ``package``, if it is one of the package's."""
    path = package.joinpath(*name.split(".")[1:])
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


_FROM = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)", re.M)
_IMPORT = re.compile(r"^[ \t]*import[ \t]+([\w., \t]+)", re.M)


def _imports(text: str, module: str, is_package: bool, top: str) -> set[str]:
    """Every module of package ``top`` that the code ``text`` imports, anywhere (functions
    included; an import-like line in a docstring counts too, which only over-includes), with
    the parent packages that importing it runs. Read with patterns, not a parser: fast."""
    found: set[str] = set()
    for line in _IMPORT.findall(text):
        found.update(part.split(" as ")[0].strip() for part in line.split(","))
    for base, names in _FROM.findall(text):
        level = len(base) - len(base.lstrip("."))
        if level:
            parts = module.split(".") if module else []
            parts = parts if is_package else parts[:-1]
            parts = parts[: len(parts) - level + 1]
            base = ".".join([*parts, *([base[level:]] if base[level:] else [])])
        found.add(base)
        for name in names.strip("()").split(","):
            name = name.split(" as ")[0].strip()
            if name.isidentifier():
                found.add(f"{base}.{name}")
    mine = {n for n in found if n == top or n.startswith(top + ".")}
    return mine | {".".join(n.split(".")[:i]) for n in mine for i in range(1, n.count(".") + 1)}


def import_closure(code: Iterable[str], package: Path = PACKAGE) -> set[Path]:
    """The package's module files that ``code`` (e.g. a notebook's cells) can run: what it
    imports, what those import, and so on, lazy imports inside functions included."""
    top = package.name
    todo = set().union(*(_imports(text, "", False, top) for text in code))
    seen: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        path = _module_file(name, package)
        if path is None or name in seen:
            continue
        seen[name] = path
        text = path.read_text(encoding="utf-8")
        todo |= _imports(text, name, path.name == "__init__.py", top) - set(seen)
    return set(seen.values())


#: The modules that turn an executed notebook into its page and write the landing page.
RENDERING = ("publish.execute", "publish.nav", "publish.landing")


def notebooks_code_fingerprint(notebooks: Iterable[Path], package: Path = PACKAGE) -> str:
    """Hash of the package code that the ``notebooks`` can run (their import closure), of the
    code that renders their pages (:data:`RENDERING`) and of its templates: a change elsewhere
    in the package does not touch them."""
    code = [text for nb in notebooks for text in notebook_code(nb)]
    code += [f"import {package.name}.{module}" for module in RENDERING]
    files = import_closure(code, package) | set(template_files(package))
    return fingerprint_files(files, package)


def fingerprint_value(value: Any) -> str:
    """Hash of a JSON-serialisable value (e.g. a parameter set), independent of key order."""
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_manifest(inputs: dict[str, str]) -> dict:
    """What a build records about its inputs: raw-file hashes, build code, package version."""
    return {"inputs": inputs, "code": code_fingerprint(), "package_version": __version__}


def read_json_object(path: Path) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable, not valid JSON (e.g.
    cut off by an earlier run) or not an object."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # ValueError: bad JSON, or bytes that are not UTF-8
        return None
    return value if isinstance(value, dict) else None


def build_is_current(out_dir: Path, inputs: dict[str, str]) -> bool:
    """True when ``out_dir`` holds every build output, made from ``inputs`` by this code.

    A corrupted ``manifest.json`` or ``quality.json`` (say, left by a crashed run or a full
    disk) means "not current", so that the build is done again rather than trusted.
    """
    if not all((out_dir / f).is_file() for f in (*BUILD_OUTPUTS, BUILD_MANIFEST)):
        return False
    old = read_json_object(out_dir / BUILD_MANIFEST)
    if old is None or read_json_object(out_dir / "quality.json") is None:
        return False
    return all(old.get(k) == v for k, v in build_manifest(inputs).items())


#: The libraries whose versions can change a report's numbers, charts or rendering.
SOFTWARE = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "ruptures",
    "papermill",
    "nbconvert",
    "ipykernel",
)


def software_versions() -> dict[str, str]:
    """Python's and each of :data:`SOFTWARE`'s installed version (read from the package
    metadata, so nothing heavy is imported): part of every report's provenance and of its
    freshness fingerprint, so a report made with other libraries is made again."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in SOFTWARE:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found
