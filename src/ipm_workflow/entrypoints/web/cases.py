"""My cases and the case page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from ipm_workflow.entrypoints.web.rendering import page


@get("/app/cases", include_in_schema=False, sync_to_thread=True)
def my_cases(request: Request[Any, Any, Any]) -> Template:
    """The cases the user may see."""
    return page(request, "cases.html", "My cases")


CASE_PAGES = [my_cases]
