"""Jinja2's one home: the page, README and other publish templates (package data).

HTML templates autoescape; the plain-text README does not (nothing in it is markup).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2

from narrate.errors import PublishError


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("narrate", "templates"),
        autoescape=lambda name: bool(name) and name.endswith((".html.j2", ".xml.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``; template faults become ``PublishError``."""
    try:
        return _environment().get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise PublishError(f"cannot render the template: {exc}", f"templates/{name}") from exc
