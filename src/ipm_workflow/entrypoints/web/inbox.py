"""The staff's in-app inbox: the messages the engine addressed to them in-app (reminder rows
delivered by the in-app channel), with links to the cases."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Template

from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.http.deps import ActorDep, ContainerDep
from ipm_workflow.entrypoints.web.agenda import items_of
from ipm_workflow.entrypoints.web.rendering import page
from ipm_workflow.entrypoints.web.routes import page_get


@page_get("/app/inbox", Action.REMINDERS_READ)
def inbox(request: Request[Any, Any, Any], container: ContainerDep, actor: ActorDep) -> Template:
    """Newest first; each message links to its case."""
    messages = items_of(container, actor, container.reminders.inbox(actor))
    return page(request, "inbox.html", "Inbox", messages=messages)


INBOX_PAGES = [inbox]
