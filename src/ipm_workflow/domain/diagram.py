"""Mermaid state diagrams of workflows."""

from __future__ import annotations

from ipm_workflow.domain.definitions import PREVIOUS_STATE, Workflow


def mermaid(workflow: Workflow, lang: str = "en") -> str:
    """Render a workflow as a Mermaid `stateDiagram-v2`."""
    lines = ["stateDiagram-v2", f"    [*] --> {workflow.initial_state}"]
    for name, state in workflow.states.items():
        label = state.label.fr if lang == "fr" else state.label.en
        lines.append(f"    {name}: {label}")
    edges: dict[tuple[str, str], list[str]] = {}
    for t in workflow.transitions:
        for source in workflow.expanded_sources(t):
            dests = workflow.previous_candidates(source) if t.dest == PREVIOUS_STATE else [t.dest]
            for dest in dests:
                triggers = edges.setdefault((source, dest), [])
                if t.trigger not in triggers:
                    triggers.append(t.trigger)
    # A trigger from every active state (such as a merge) would drown the picture: draw it once.
    everywhere = {t.trigger for t in workflow.transitions if t.source == "*"}
    for (source, dest), triggers in edges.items():
        shown = [t for t in triggers if t not in everywhere]
        if shown:
            lines.append(f"    {source} --> {dest}: {', '.join(shown)}")
    for t in workflow.transitions:
        if t.trigger in everywhere:
            lines.append(f"    note right of {t.dest}: {t.trigger} from any active state")
    for name, state in workflow.states.items():
        if state.terminal:
            lines.append(f"    {name} --> [*]")
    return "\n".join(lines) + "\n"
