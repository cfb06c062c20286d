"""Reading workflow YAML files, with every error named by file, line and place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from ipm_workflow.adapters import workflow_cache
from ipm_workflow.adapters.templates import JinjaRenderer
from ipm_workflow.domain.definitions import Workflow
from ipm_workflow.domain.engine import CompiledWorkflow
from ipm_workflow.domain.errors import WorkflowInvalid
from ipm_workflow.domain.guards import GUARD_KINDS
from ipm_workflow.domain.lint import did_you_mean, lint
from ipm_workflow.domain.registry import WorkflowRegistry

PathItems = tuple[str | int, ...]


@dataclass(frozen=True)
class FileProblem:
    """One problem found in one workflow file."""

    file: Path
    line: int | None
    column: int | None
    place: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else str(self.file)
        place = f" {self.place}:" if self.place else ""
        return f"{where}:{place} {self.message}"


def _place(path: PathItems) -> str:
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else str(item))
    return text


def _position(root: Any, path: PathItems) -> tuple[int | None, int | None]:
    """Find the line and column (1-based) of the deepest node along a path."""
    node, line, col = root, None, None
    for item in path:
        try:
            if isinstance(node, CommentedMap) and item in node:
                line, col = node.lc.key(item)
            elif isinstance(node, CommentedSeq) and isinstance(item, int) and item < len(node):
                line, col = node.lc.item(item)
            else:
                break
            node = node[item]
        except (KeyError, IndexError, TypeError):
            break
    return (line + 1, col + 1) if line is not None and col is not None else (None, None)


def _pydantic_problems(file: Path, doc: Any, exc: ValidationError) -> list[FileProblem]:
    problems = []
    for error in exc.errors():
        path = tuple(p for p in error["loc"] if p not in GUARD_KINDS)
        message = error["msg"]
        if error["type"] == "union_tag_invalid":
            tag = str(error["ctx"]["tag"])
            message = f"unknown guard kind '{tag}'{did_you_mean(tag, GUARD_KINDS)}"
            path = (*path, "kind")
        elif error["type"] == "extra_forbidden":
            message = f"unknown key '{path[-1]}'"
        line, col = _position(doc, path)
        problems.append(FileProblem(file, line, col, _place(path), message))
    return problems


# Beyond these a workflow file is a mistake, and parsing it could exhaust the stack or memory.
MAX_BYTES = 1_000_000
MAX_DEPTH = 64
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Unreadable(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _read_text(file: Path) -> str:
    """Read a workflow file as UTF-8 text with no control characters and bounded nesting."""
    raw = file.read_bytes()
    if len(raw) > MAX_BYTES:
        raise _Unreadable(1, 1, f"file is larger than {MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw[: exc.start].decode("utf-8", "replace"), exc.start)
        byte = raw[exc.start]
        raise _Unreadable(
            line, col, f"byte 0x{byte:02x} is not UTF-8: save the file as UTF-8"
        ) from None
    if found := _CONTROL.search(text):
        line, col = _line_col(text, found.start())
        code = f"U+{ord(found.group()):04X}"
        raise _Unreadable(line, col, f"control character {code} is not allowed in a workflow file")
    depth = 0
    for match in re.finditer(r"[\[{]|[\]}]", text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line, col = _line_col(text, match.start())
            raise _Unreadable(line, col, f"values nested too deeply (more than {MAX_DEPTH} levels)")
    return text


def _deepest_line(text: str) -> int:
    lines = text.splitlines() or [""]
    indents = [len(line) - len(line.lstrip(" ")) for line in lines]
    return indents.index(max(indents)) + 1


def parse_file(file: Path) -> tuple[Workflow | None, list[FileProblem]]:
    """Parse and check one workflow file; return the definition (if sound) and its problems."""
    _, workflow, problems = _parse(file)
    return workflow, problems


def _load(file: Path) -> tuple[Any, FileProblem | None]:
    """Read the YAML document of a file, or say (with a line) why it cannot be read."""
    text = ""
    problem: tuple[int | None, int | None, str]
    try:
        text = _read_text(file)
        return YAML(typ="rt").load(text), None
    except _Unreadable as exc:
        problem = (exc.line, exc.column, exc.message)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = (line, col, f"YAML syntax error: {exc.problem}")
    except YAMLError as exc:
        problem = (1, 1, f"YAML error: {exc}")
    except RecursionError:
        problem = (_deepest_line(text), 1, f"values nested too deeply (over {MAX_DEPTH} levels)")
    except OSError as exc:
        problem = (None, None, f"cannot read: {exc.strerror}")
    return None, FileProblem(file, *problem[:2], "", problem[2])


def _parse(file: Path) -> tuple[Any, Workflow | None, list[FileProblem]]:
    """Parse one file; also return the YAML document, so later problems can name a line.

    A file that passed before (same bytes, same checking code) comes back without its document
    (None): `_document` reads it again only if a later problem needs a line number.
    """
    try:
        content = file.read_bytes()
    except OSError as exc:
        return None, None, [FileProblem(file, None, None, "", f"cannot read: {exc.strerror}")]
    known = workflow_cache.recall(content)
    if known is not None:
        return None, known, []
    doc, workflow, problems = _parse_document(file)
    if workflow is not None and not problems:
        workflow_cache.remember(content, workflow)
    return doc, workflow, problems


def _document(file: Path, doc: Any) -> Any:
    """The file's round-trip YAML document (with line numbers), parsed again if not at hand."""
    return doc if doc is not None else _parse_document(file)[0]


def _parse_document(file: Path) -> tuple[Any, Workflow | None, list[FileProblem]]:
    doc, unreadable = _load(file)
    if unreadable is not None:
        return None, None, [unreadable]
    if not isinstance(doc, CommentedMap):
        return doc, None, [FileProblem(file, 1, 1, "", "a workflow file must be a YAML mapping")]
    try:
        workflow = Workflow.model_validate(doc)
    except ValidationError as exc:
        return doc, None, _pydantic_problems(file, doc, exc)
    problems = [
        FileProblem(file, *_position(doc, p.path), _place(p.path), p.message)
        for p in lint(workflow)
    ]
    if not problems:
        try:
            CompiledWorkflow(workflow)  # what the lint does not know, the library may refuse
        except (ValueError, TypeError, AttributeError, KeyError) as exc:
            message = f"the state-machine library refuses this workflow: {exc}"
            problems.append(FileProblem(file, 1, 1, "", message))
    return doc, (None if problems else workflow), problems


def check_directory(directory: Path) -> tuple[list[Workflow], list[FileProblem]]:
    """Parse every workflow file of a directory; report problems across files too."""
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if not files:
        return [], [FileProblem(directory, None, None, "", "no workflow files (*.yaml) here")]
    workflows: list[Workflow] = []
    problems: list[FileProblem] = []
    seen: dict[tuple[str, int], Path] = {}
    for file in files:
        doc, workflow, found = _parse(file)
        problems += found
        if workflow is None:
            continue
        if workflow.key in seen:
            problems.append(
                FileProblem(
                    file,
                    *_position(_document(file, doc), ("version",)),
                    "version",
                    f"{workflow.name} v{workflow.version} is also defined in {seen[workflow.key]}",
                )
            )
            continue
        seen[workflow.key] = file
        workflows.append(workflow)
        missing = _template_problems(file, doc, workflow, directory / "templates")
        if missing and doc is None:
            missing = _template_problems(
                file, _document(file, doc), workflow, directory / "templates"
            )
        problems += missing
    return workflows, problems


def _template_problems(
    file: Path, doc: Any, workflow: Workflow, templates: Path
) -> list[FileProblem]:
    """Every template a reminder names must exist in each language."""
    renderer = JinjaRenderer(templates)
    problems = []
    known = {p.name.split(".")[0] for p in templates.glob("*.txt")}
    named: list[tuple[PathItems, str | None]] = []
    for i, rule in enumerate(workflow.reminders):
        named.append((("reminders", i, "template"), rule.template))
        if rule.escalation is not None:
            named.append((("reminders", i, "escalation", "template"), rule.escalation.template))
    named += [(("events", i, "template"), e.template) for i, e in enumerate(workflow.events)]
    for path, name in named:
        if name is None:
            continue
        missing = renderer.missing([name])
        if missing:
            problems.append(
                FileProblem(
                    file,
                    *_position(doc, path),
                    _place(path),
                    f"template '{name}' has no file {', '.join(missing)} in {templates}"
                    + did_you_mean(name, known - {name}),
                )
            )
    return problems


def load_registry(directory: Path) -> WorkflowRegistry:
    """Load and compile every workflow of a directory, or raise naming every problem."""
    workflows, problems = check_directory(directory)
    if problems:
        raise WorkflowInvalid([str(p) for p in problems])
    return WorkflowRegistry(workflows)
