"""The pages' part of the application: their router, templates and static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Router
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from ipm_workflow.domain.errors import DomainError
from ipm_workflow.entrypoints.web import i18n
from ipm_workflow.entrypoints.web.account import PAGES
from ipm_workflow.entrypoints.web.agenda import AGENDA_PAGES
from ipm_workflow.entrypoints.web.cases import CASE_PAGES
from ipm_workflow.entrypoints.web.dashboards import DASHBOARD_PAGES
from ipm_workflow.entrypoints.web.funder_pages import FUNDER_PAGES
from ipm_workflow.entrypoints.web.inbox import INBOX_PAGES
from ipm_workflow.entrypoints.web.portal_documents import PORTAL_DOCUMENT_PAGES
from ipm_workflow.entrypoints.web.portal_journey import PORTAL_JOURNEY_PAGES
from ipm_workflow.entrypoints.web.portal_pages import PORTAL_ACCESS_PAGES
from ipm_workflow.entrypoints.web.portal_session import PORTAL_PATHS, portal_router
from ipm_workflow.entrypoints.web.privacy import PRIVACY_PAGES
from ipm_workflow.entrypoints.web.referral import REFERRAL_PAGES
from ipm_workflow.entrypoints.web.rendering import error_page
from ipm_workflow.entrypoints.web.sandbox import SANDBOX_PAGES
from ipm_workflow.entrypoints.web.session import (
    OPEN_PATHS,
    SessionAuthenticationMiddleware,
    csrf_guard,
)
from ipm_workflow.entrypoints.web.supervision import SUPERVISION_PAGES

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# Paths the bearer-token middleware leaves to the pages (their own session and CSRF checks).
WEB_PATHS = ["^/$", "^/app(/|$)", "^/static/", *PORTAL_PATHS]


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates of the pages, with the i18n extension on the message catalogues."""

    def prepare(engine: JinjaTemplateEngine) -> None:
        i18n.install(engine.engine)

    return TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=prepare)


WEB2_PAGES = [*REFERRAL_PAGES, *AGENDA_PAGES, *SUPERVISION_PAGES, *SANDBOX_PAGES, *INBOX_PAGES]
# Later pages: the dashboards (issue 14) and data protection (issue 15).
REPORT_PAGES = [*DASHBOARD_PAGES, *FUNDER_PAGES, *PRIVACY_PAGES]


def web_handlers() -> list[Any]:
    """The pages' router and the static files (htmx, the style sheet), no CDN."""
    pages = Router(
        "/",
        route_handlers=[*PAGES, *CASE_PAGES, *WEB2_PAGES, *REPORT_PAGES],
        middleware=[
            DefineMiddleware(SessionAuthenticationMiddleware, exclude=[*OPEN_PATHS, "^/$"])
        ],
        guards=[csrf_guard],
        exception_handlers={HTTPException: error_page, DomainError: error_page},
        include_in_schema=False,
    )
    static = create_static_files_router(
        "/static", directories=[STATIC], include_in_schema=False, name="static"
    )
    # The young person's own pages (/my): their own session, apart from the staff's.
    portal = portal_router([*PORTAL_ACCESS_PAGES, *PORTAL_JOURNEY_PAGES, *PORTAL_DOCUMENT_PAGES])
    return [pages, portal, static]
