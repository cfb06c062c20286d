"""Reading the retention rules file (config/retention.yaml), errors named by file, line, place."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ipm_workflow.adapters.workflow_files import FileProblem, _place, _position
from ipm_workflow.domain.errors import RetentionConfigInvalid
from ipm_workflow.domain.registry import WorkflowRegistry
from ipm_workflow.domain.retention import RetentionPolicy


def load_policy(file: Path, registry: WorkflowRegistry | None = None) -> RetentionPolicy:
    """Parse and check the rules; raise RetentionConfigInvalid listing every problem.

    With a registry, the workflows and date fields a rule names must exist in some version
    (`covers.when_field` may name a field no workflow declares yet: the rule waits for it).
    """
    try:
        doc = YAML(typ="rt").load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RetentionConfigInvalid([f"{file}: cannot read: {exc.strerror}"]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark else str(file)
        raise RetentionConfigInvalid([f"{where}: YAML syntax error: {exc.problem}"]) from None
    except (YAMLError, UnicodeDecodeError) as exc:
        raise RetentionConfigInvalid([f"{file}: not readable YAML: {exc}"]) from None
    if not isinstance(doc, CommentedMap):
        raise RetentionConfigInvalid([str(FileProblem(file, 1, 1, "", "must be a YAML mapping"))])
    try:
        policy = RetentionPolicy.model_validate(doc)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(error["loc"])
            message = error["msg"]
            if error["type"] == "extra_forbidden":
                message = f"unknown key '{path[-1]}'"
            line, col = _position(doc, path)
            problems.append(str(FileProblem(file, line, col, _place(path), message)))
        raise RetentionConfigInvalid(problems) from None
    if registry is not None:
        _check_names(file, doc, policy, registry)
    return policy


def _check_names(
    file: Path, doc: CommentedMap, policy: RetentionPolicy, registry: WorkflowRegistry
) -> None:
    definitions = [c.definition for c in registry.all()]
    known = {d.name for d in definitions}
    fields = {f for d in definitions for f in d.fields}
    problems = []
    for i, rule in enumerate(policy.rules):
        named: list[tuple[tuple[str | int, ...], str, set[str], str]] = [
            (("rules", i, "covers", "workflows", j), w, known, "workflow")
            for j, w in enumerate(rule.covers.workflows or [])
        ]
        spec = rule.until.after_case_end
        if spec is not None and spec.date_field:
            path: tuple[str | int, ...] = ("rules", i, "until", "after_case_end", "date_field")
            named.append((path, spec.date_field, fields, "field"))
        for path, name, among, what in named:
            if name not in among:
                line, col = _position(doc, path)
                message = f"no workflow declares the {what} '{name}'"
                problems.append(str(FileProblem(file, line, col, _place(path), message)))
    if problems:
        raise RetentionConfigInvalid(problems)
