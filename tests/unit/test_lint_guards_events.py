"""The lint of event messages: a template is looked for in each language.

The richer guards, computed values, anchors and recipients are rows of the broken-file
table in test_lint.py."""

from __future__ import annotations

from pathlib import Path

from test_lint import BROKEN

from ipm_workflow.adapters.workflow_files import check_directory


class TestEventLint:
    def test_an_event_template_must_exist(self, tmp_path: Path) -> None:
        """An event's template is looked for in each language, with a suggestion."""
        text = (BROKEN / "event_unknown_names.yaml").read_text()
        text = text.replace("finsh", "finish").replace("DOEN", "DONE")
        text = text.replace("host_contact_emial", "host_contact_email")
        text = text.replace("[{field: note}]", "[advisor]").replace(
            "template: done\n", "template: dne\n", 1
        )
        (tmp_path / "flow.yaml").write_text(text)
        (tmp_path / "templates").mkdir()
        for lang in ("fr", "en"):
            (tmp_path / "templates" / f"done.{lang}.txt").write_text("Subject: x\n\nx\n")
        _, problems = check_directory(tmp_path)
        expected = [(19, "events[0].template")]
        assert expected == [(p.line, p.place) for p in problems]
        assert problems[0].message.endswith("(did you mean 'done'?)")
