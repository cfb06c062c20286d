"""Issue 14: the Erasmus+ Beneficiary Module's mobility import file of one grant agreement."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Response
from litestar.params import FromPath, FromQuery

from ipm_workflow.bootstrap import beneficiary_module_file
from ipm_workflow.domain.beneficiary_module import COLUMNS
from ipm_workflow.domain.policy import Action
from ipm_workflow.entrypoints.downloads import attachment
from ipm_workflow.entrypoints.http import routes
from ipm_workflow.entrypoints.http.deps import CallDep
from ipm_workflow.entrypoints.http.schemas import CSV, XLSX, served_formats

MEDIA = {"csv": CSV, "xlsx": XLSX}


@routes.get(
    "/api/v1/reports/beneficiary-module/{grant:str}",
    "The Erasmus+ Beneficiary Module's mobility import file of a grant agreement",
    Action.READ_SENSITIVE,
    tags=["reports"],
    operation_class=served_formats("application/json", CSV, XLSX),
)
def beneficiary_module(
    call: CallDep, grant: FromPath[str], format: FromQuery[Literal["json", "csv", "xlsx"]] = "json"
) -> Response[Any]:
    """One row per departed mobility of the grant agreement, in the Module's columns and values
    (JSON, CSV or XLSX). It carries each participant's fewer-opportunity flag, as the Module
    asks: those with the need to know only, each read kept."""
    rows = call.container.beneficiary_module.rows(grant, call.actor)
    if format == "json":
        return Response({"grant": grant, "columns": list(COLUMNS), "rows": rows})
    name = f"beneficiary-module-{grant}.{format}"
    return Response(
        beneficiary_module_file(rows, format),
        media_type=MEDIA[format],
        headers=attachment(name),
    )
