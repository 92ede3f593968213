"""The project's own HTML pages (a report's landing page, a batch's index) from jinja2 templates.

One environment for all of them, on ``templates/pages/``: every value is escaped
(``autoescape``), since findings, names and sources come from data, and a value the template
names but the context lacks is an error (``StrictUndefined``), never a silently empty cell on a
published page.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

PAGES = Path(__file__).parent / "templates" / "pages"


@cache
def environment() -> jinja2.Environment:
    """The pages' template environment (built once per process)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PAGES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_page(name: str, **context: Any) -> str:
    """The page of template ``name`` (e.g. ``landing.html.j2``) filled with ``context``."""
    return environment().get_template(name).render(**context)
