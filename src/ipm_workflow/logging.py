"""Structured logs: console in development, JSON in production; ids only, never personal data."""

from __future__ import annotations

import logging
import sys
from dataclasses import fields
from typing import Any

import structlog

from ipm_workflow.domain.profile import Sensitive

# Keys that could carry personal data; a processor drops them if a caller ever binds one.
_PERSONAL_KEYS = frozenset(
    {
        "first_name",
        "last_name",
        "name",
        "email",
        "phone",
        "birth_date",
        "address",
        "note",
        "notes",
        "reason",
        "mentor_name",
        "inputs",
        "data",
        "payload",
        # People (issue 11): contacts of guardians, identifiers, sensitive data.
        "guardian",
        "guardians",
        "imilo_id",
        "commune_insee",
        "sensitive",
    }
) | (  # each special-category field, as the domain declares them (not its bookkeeping)
    frozenset(f.name for f in fields(Sensitive)) - {"person_id", "updated_at", "updated_by"}
)


def _drop_personal(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key in _PERSONAL_KEYS & event.keys():
        event[key] = "[redacted]"
    return event


def configure_logging(log_format: str = "console", level: str = "INFO") -> None:
    """Route structlog (and the standard library's loggers) through one renderer."""
    # Plain tracebacks: rich's would print local variables, personal data among them.
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_personal,
    ]
    if log_format == "json":
        # Which server process wrote the line: `serve --workers N` runs several.
        shared.append(
            structlog.processors.CallsiteParameterAdder(
                [structlog.processors.CallsiteParameter.PROCESS]
            )
        )
        # Keep the stack of logged exceptions, as structured data.
        # Without local variables: they would carry personal data into the logs.
        shared.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries that narrate their internals at INFO: keep their warnings only.
    for noisy in ("transitions", "alembic", "httpx", "apscheduler", "aiosmtpd", "mail.log"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # A tick still running when the next is due is normal (max_instances=1): not a warning.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
