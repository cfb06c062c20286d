"""Declared workflows through the HTTP API: list and read with the Mermaid diagram."""

from __future__ import annotations

from ipm_workflow.domain.registry import WorkflowRegistry
from journey import WORKFLOW, ApiJourney

WORKFLOWS = "/api/v1/workflows"


class TestListWorkflows:
    """GET /api/v1/workflows."""

    def test_lists_latest_versions(self, api: ApiJourney, registry: WorkflowRegistry) -> None:
        """Each loaded workflow appears once, with its versions and titles."""
        response = api.call("GET", WORKFLOWS)
        listed = {w["name"]: w for w in response.json()}
        expected = (200, sorted({c.definition.name for c in registry.all()}))
        assert expected == (response.status_code, sorted(listed))
        expected_entry = {
            "name": WORKFLOW,
            "version": 1,
            "versions": [1],
            "title": {
                "fr": "Stage Erasmus+ individuel long (FEP)",
                "en": "Long individual Erasmus+ VET internship",
            },
        }
        assert expected_entry == listed[WORKFLOW]


class TestReadWorkflow:
    """GET /api/v1/workflows/{name} and /versions/{version}."""

    def test_reads_definition_and_diagram(self, api: ApiJourney) -> None:
        """The definition comes with a Mermaid state diagram."""
        response = api.call("GET", f"{WORKFLOWS}/{WORKFLOW}")
        body = response.json()
        expected = (200, WORKFLOW, 1, "REFERRED")
        assert expected == (
            response.status_code,
            body["name"],
            body["version"],
            body["definition"]["initial_state"],
        )
        assert body["mermaid"].startswith("stateDiagram-v2")
        assert "[*] --> REFERRED" in body["mermaid"]

    def test_reads_a_pinned_version(self, api: ApiJourney) -> None:
        """A given version reads the same definition as the latest when it is the latest."""
        latest = api.call("GET", f"{WORKFLOWS}/{WORKFLOW}").json()
        response = api.call("GET", f"{WORKFLOWS}/{WORKFLOW}/versions/1")
        expected = (200, latest)
        assert expected == (response.status_code, response.json())

    def test_diagram_in_french(self, api: ApiJourney) -> None:
        """`lang=fr` labels the diagram in French."""
        response = api.call("GET", f"{WORKFLOWS}/{WORKFLOW}", params={"lang": "fr"})
        assert "REFERRED: Orienté" in response.json()["mermaid"]

    def test_unknown_workflow_is_404(self, api: ApiJourney) -> None:
        """An unknown name or version answers 404."""
        expected = (404, 404)
        actual = (
            api.call("GET", f"{WORKFLOWS}/nope").status_code,
            api.call("GET", f"{WORKFLOWS}/{WORKFLOW}/versions/9").status_code,
        )
        assert expected == actual
