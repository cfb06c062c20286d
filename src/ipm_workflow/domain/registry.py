"""The set of compiled workflow versions a running service knows."""

from __future__ import annotations

from collections.abc import Iterable

from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import NotFound
from ipm_workflow.domain.lint import did_you_mean


class WorkflowRegistry:
    """Every loaded workflow version, each compiled once; cases pin (name, version)."""

    def __init__(self, definitions: Iterable[Workflow] = ()) -> None:
        self._compiled: dict[tuple[str, int], CompiledWorkflow] = {}
        for definition in definitions:
            self.add(definition)

    def add(self, definition: Workflow) -> CompiledWorkflow:
        """Compile and register one workflow version."""
        compiled = CompiledWorkflow(definition)
        self._compiled[definition.key] = compiled
        return compiled

    def get(self, name: str, version: int | None = None) -> CompiledWorkflow:
        """Return one version of a workflow, the latest when no version is given."""
        if version is None:
            versions = self.versions(name)
            if not versions:
                names = {n for n, _ in self._compiled}
                raise NotFound(f"unknown workflow '{name}'{did_you_mean(name, names)}")
            version = versions[-1]
        try:
            return self._compiled[(name, version)]
        except KeyError:
            raise NotFound(f"workflow '{name}' has no version {version}") from None

    def versions(self, name: str) -> list[int]:
        """Return the loaded versions of a workflow, oldest first."""
        return sorted(v for n, v in self._compiled if n == name)

    def latest(self) -> list[CompiledWorkflow]:
        """Return the latest version of each workflow, by name."""
        names = sorted({n for n, _ in self._compiled})
        return [self.get(n) for n in names]

    def all(self) -> list[CompiledWorkflow]:
        """Return every loaded version, by name then version."""
        return [self._compiled[k] for k in sorted(self._compiled)]
