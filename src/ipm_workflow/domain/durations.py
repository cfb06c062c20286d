"""ISO 8601 durations with calendar years and months: the one parser every duration goes through."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any, TypeVar, overload
from zoneinfo import ZoneInfo

import holidays
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ipm_workflow.domain.spec_base import Strict

# Longest duration anything may declare: ten years (a journey lasts months, a grant a few years).
MAX_DAYS = 3660
_NUMBER = r"(\d{1,12})"
_PATTERN = re.compile(
    rf"([-+])?P(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:(\d{{1,12}}(?:[.,]\d{{1,6}})?)S)?)?"
)
When = TypeVar("When", date, datetime)


@dataclass(frozen=True)
class Duration:
    """Calendar years and months, then days and a clock time; `negative` applies to all."""

    years: int = 0
    months: int = 0
    days: int = 0
    clock: timedelta = timedelta(0)
    negative: bool = False

    @property
    def is_calendar(self) -> bool:
        """True when the length depends on the calendar (years or months)."""
        return bool(self.years or self.months)

    def longest_days(self) -> float:
        """Return an upper bound of the length in days (a year as 366, a month as 31)."""
        return self.years * 366 + self.months * 31 + self.days + self.clock / timedelta(days=1)

    def fixed(self) -> timedelta:
        """Return the exact length; ValueError for years or months, whose length varies."""
        if self.is_calendar:
            raise ValueError(
                f"{self} has calendar months or years, whose length varies: give days (e.g. P30D)"
            )
        length = timedelta(days=self.days) + self.clock
        return -length if self.negative else length

    @overload
    def after(self, moment: datetime) -> datetime: ...
    @overload
    def after(self, moment: date) -> date: ...
    def after(self, moment: date) -> date:
        """Add to a date or datetime: months first (end of month clamped), then days and time."""
        sign = -1 if self.negative else 1
        moved = _add_months(moment, sign * (self.years * 12 + self.months))
        length = timedelta(days=self.days) + self.clock
        if isinstance(moved, datetime):
            return moved + sign * length
        return moved + sign * timedelta(days=length.days)

    def __radd__(self, moment: When) -> When:
        """`moment + duration`."""
        return self.after(moment)

    def __rsub__(self, moment: When) -> When:
        """`moment - duration`."""
        return self.__neg__().after(moment)

    def __neg__(self) -> Duration:
        """The same duration in the other direction."""
        return Duration(self.years, self.months, self.days, self.clock, not self.negative)

    def __str__(self) -> str:
        """The ISO 8601 form, e.g. P1M, PT48H, -P1D."""
        text = "".join(
            f"{n}{unit}"
            for n, unit in ((self.years, "Y"), (self.months, "M"), (self.days, "D"))
            if n
        )
        seconds = self.clock.total_seconds()
        hours, rest = divmod(int(seconds), 3600)
        minutes, secs = divmod(rest, 60)
        fraction = seconds - int(seconds)
        time_part = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M")) if n)
        if secs or fraction:
            time_part += f"{secs + fraction:g}S"
        body = text + (f"T{time_part}" if time_part else "")
        return ("-" if self.negative else "") + "P" + (body or "0D")

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validate from ISO text (or a Duration) within MAX_DAYS; serialise as ISO text."""
        return core_schema.no_info_plain_validator_function(
            bounded, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Published as an ISO 8601 duration string."""
        return {"type": "string", "format": "duration", "examples": ["P14D", "P1M", "PT48H"]}


def _add_months(moment: When, months: int) -> When:
    if not months:
        return moment
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise ValueError("the date falls outside the calendar (years 1 to 9999)")
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def parse_duration(text: str) -> Duration:
    """Parse ISO 8601 text (P1Y2M3W4DT5H6M7S, optionally signed); ValueError saying why not."""
    match = _PATTERN.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or not any(g is not None for g in match.groups()[1:]):
        raise ValueError(
            f"expected an ISO 8601 duration such as P14D, P1M, P1Y or PT48H, got {text!r}"
        )
    sign, years, months, weeks, days, hours, minutes, seconds = match.groups()
    if text.strip().endswith("T"):
        raise ValueError(f"{text!r} has a 'T' with no hours, minutes or seconds after it")
    if not _small(years, months, weeks, days, hours, minutes, seconds):
        raise ValueError(f"{text!r} is longer than the limit of {MAX_DAYS} days")
    clock = timedelta(
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=float((seconds or "0").replace(",", ".")),
    )
    days_total = int(weeks or 0) * 7 + int(days or 0)
    return Duration(int(years or 0), int(months or 0), days_total, clock, sign == "-")


def _small(*numbers: str | None) -> bool:
    # Cheap first bound, before any arithmetic: no component may exceed a few million.
    return all(n is None or float(n.replace(",", ".")) < 10_000_000 for n in numbers)


def bounded(raw: Any, max_days: int = MAX_DAYS) -> Duration:
    """Return a Duration from text or a Duration, refusing one longer than `max_days`."""
    duration = raw if isinstance(raw, Duration) else parse_duration(raw)
    if duration.longest_days() > max_days:
        raise ValueError(f"{duration} is longer than the limit of {max_days} days")
    return duration


def not_negative(duration: Duration) -> Duration:
    """Refuse a negative duration (a limit, a delay or a lateness is never negative)."""
    if duration.negative:
        raise ValueError(f"{duration} is negative")
    return duration


def fixed_length(raw: Any) -> timedelta:
    """Return an exact, non-negative length from ISO text (days and time only); ValueError."""
    if isinstance(raw, timedelta):
        return raw
    return not_negative(bounded(raw)).fixed()


# A forward duration that may use calendar months and years (time limits).
Span = Annotated[Duration, AfterValidator(not_negative)]
# A duration whose length may not depend on the calendar (lateness).
FixedDuration = Annotated[
    timedelta,
    BeforeValidator(fixed_length),
    PlainSerializer(lambda d: str(Duration(days=d.days, clock=d - timedelta(days=d.days)))),
]


# Business days: Monday to Friday, less the French public holidays (metropolitan France, where
# Ipm works; the two extra days of Alsace-Moselle are not counted). The calendar comes from the
# `holidays` library, kept up to date by its maintainers (Easter-based days included).
MAX_BUSINESS_DAYS = 2500


@lru_cache(maxsize=64)
def _french_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year))


def is_business_day(day: date) -> bool:
    """Tell whether a day is worked in France: Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def add_business_days(day: date, days: int) -> date:
    """Move a date by worked days (weekends and French public holidays skipped)."""
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day):
            remaining -= 1
    return day


class BusinessDays(Strict):
    """A time limit in worked days: `time_limit: {business_days: 2}`."""

    business_days: int = Field(ge=1, le=MAX_BUSINESS_DAYS)

    def longest_days(self) -> float:
        """Return an upper bound of the length in calendar days."""
        return self.business_days * 7 / 5 + 30

    def __str__(self) -> str:
        """Say it as people do: '2 business days'."""
        return f"{self.business_days} business days"


def _said(loc: tuple[int | str, ...], msg: str) -> str:
    return f"{'.'.join(str(p) for p in loc) or 'value'}: {msg}"


def time_limit(raw: Any) -> Duration | BusinessDays:
    """Read a time limit: ISO text (P1M, PT48H) or `{business_days: N}`; ValueError saying why."""
    if isinstance(raw, (Duration, BusinessDays)):
        return raw
    if isinstance(raw, dict):
        try:
            return BusinessDays.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(_said(e["loc"], e["msg"]) for e in exc.errors())
            raise ValueError(f"expected {{business_days: N}}: {problems}") from None
    return not_negative(bounded(raw))


TimeLimit = Annotated[
    Duration | BusinessDays,
    PlainValidator(time_limit),
    PlainSerializer(lambda v: v.model_dump() if isinstance(v, BaseModel) else str(v)),
    WithJsonSchema(
        {
            "oneOf": [
                {"type": "string", "format": "duration", "examples": ["P14D", "P1M", "PT48H"]},
                {
                    "type": "object",
                    "properties": {"business_days": {"type": "integer", "minimum": 1}},
                    "required": ["business_days"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]


def deadline(limit: TimeLimit, start: datetime, tz: ZoneInfo) -> datetime:
    """Return when a time limit started at `start` runs out (UTC).

    Days, months and business days count on Ipm's calendar (the local date, same local time);
    a duration of hours and minutes only is exact elapsed time.
    """
    if isinstance(limit, BusinessDays):
        local = start.astimezone(tz)
        day = add_business_days(local.date(), limit.business_days)
        return datetime.combine(day, local.timetz()).astimezone(UTC)
    if not (limit.is_calendar or limit.days):
        return limit.after(start.astimezone(UTC))
    return limit.after(start.astimezone(tz)).astimezone(UTC)
