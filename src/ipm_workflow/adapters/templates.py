"""Message templates: Jinja2 text files beside the workflows, one per language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)

from ipm_workflow.services.messages import RenderingFault

# Each message language and the locale its dates are written in ("1 avril 2029", "1 April 2029").
LOCALES = {"fr": "fr_FR", "en": "en_GB"}
LANGUAGES = tuple(LOCALES)


class TemplateProblem(RenderingFault):
    """A template is missing or does not render (a permanent fault, never retried)."""


class JinjaRenderer:
    """Renders `<name>.<lang>.txt`: a `Subject:` line, a blank line, then the body."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.envs = {lang: self._environment(locale) for lang, locale in LOCALES.items()}

    def _environment(self, locale: str) -> Environment:
        def finalize(value: Any) -> Any:
            # Every date and number a template prints reads as the reader's language writes it.
            if isinstance(value, (date, datetime)):
                return format_date(value, "long", locale=locale)
            if isinstance(value, float) and not isinstance(value, bool):
                return format_decimal(value, locale=locale)
            return value

        def as_date(value: Any, form: str = "long") -> Any:
            # `{{ d | date }}` "1 avril 2029" / "1 April 2029"; `date("short")` "01/04/2029".
            if isinstance(value, str):
                value = date.fromisoformat(value)
            if not isinstance(value, (date, datetime)):
                return value
            return format_date(value, form, locale=locale)

        def as_number(value: Any, digits: int | None = None) -> Any:
            # `{{ n | number }}` "1 234,5" / "1,234.5"; `number(2)` keeps two decimals.
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return value
            if digits is None:
                return format_decimal(value, locale=locale)
            return format_decimal(value, f"#,##0.{'0' * digits}", locale=locale)

        def as_money(value: Any, currency: str = "EUR") -> Any:
            # `{{ n | money }}` "1 234,50 €" / "€1,234.50".
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return value
            return format_currency(value, currency, locale=locale)

        # Plain-text messages: no HTML escaping; a missing variable is an error, not a blank.
        env = Environment(
            loader=FileSystemLoader(self.directory),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            # Text e-mails and SMS, never HTML: nothing to escape.
            autoescape=select_autoescape(enabled_extensions=(), default=False),
            finalize=finalize,
        )
        env.filters["long_date"] = finalize
        env.filters["date"] = as_date
        env.filters["number"] = as_number
        env.filters["money"] = as_money
        # Amounts are euro cents: `{{ data.get("grant_agreed") | euros }}` -> "1 234,56 €".
        env.filters["euros"] = lambda cents: "?" if cents is None else as_money(cents / 100)
        return env

    def render(self, template: str, language: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """Render one message; fall back to French when a language has no file."""
        lang = language if language in LANGUAGES else "fr"
        name = f"{template}.{lang}.txt"
        if not (self.directory / name).exists():
            name = f"{template}.fr.txt"
        try:
            text = self.envs[lang].get_template(name).render(**context)
        except TemplateError as exc:
            raise TemplateProblem(f"template {name}: {exc}") from exc
        first, _, rest = text.partition("\n")
        if not first.startswith("Subject:"):
            raise TemplateProblem(f"template {name}: the first line must be 'Subject: …'")
        return first.removeprefix("Subject:").strip(), rest.lstrip("\n")

    def missing(self, names: Iterable[str]) -> list[str]:
        """Return the template files that do not exist, for `workflows check`."""
        return [
            f"{n}.{lang}.txt"
            for n in sorted(set(names))
            for lang in LANGUAGES
            if not (self.directory / f"{n}.{lang}.txt").exists()
        ]
