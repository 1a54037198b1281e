"""Dates and times as people read and type them: in their own time zone and language.

The one way a page shows a moment (`LocalFormat`, also behind the templates' `local_time`
filter) and the one way a typed date and time becomes a UTC moment (`local_to_utc`), with one
fallback zone for both.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_datetime, format_skeleton, format_time

from app.errors import InvalidInput
from app.i18n import N_

T = TypeVar("T")

# Where the programme is: the zone of anyone whose own setting cannot be read.
DEFAULT_TIME_ZONE = "Europe/Amsterdam"


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


# A date typed by hand where the browser has no date picker: day first, as in the Netherlands
# (16-12-2026, 16/12/2026, 16.12.2026), whatever the page's language; the picker sends ISO.
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")


def _read_day(text: str) -> date:
    text = text.strip()
    typed = _DAY_FIRST.fullmatch(text)
    if typed:
        day, month, year = (int(part) for part in typed.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def example_day(locale: str, today: date) -> str:
    """A date two weeks ahead, as the reader's language writes it ("16 december 2026"): the
    example beside a date field and in its problem, never a date in the past or in ISO."""
    return format_skeleton("yMMMMd", today + timedelta(days=14), locale=locale)


def typed_day(text: str, field: str, time_zone: str | None, locale: str = "en") -> date | None:
    """A date typed in a form (ISO from a date picker, or day-month-year), None when left empty;
    one that cannot be read is refused next to its field, with an example in the reader's language."""
    if not text.strip():
        return None
    try:
        return _read_day(text)
    except ValueError:
        example = example_day(locale, datetime.now(zone_of(time_zone)).date())
        raise InvalidInput(N_("Choose a date, such as {example}."), field=field, example=example) from None


def local_to_utc(day: str, clock: str, time_zone: str | None, locale: str = "en") -> datetime:
    """A date and a wall-clock time typed in the person's own time zone, as an aware UTC moment.

    A date or time that cannot be read is refused next to its own field, with an example in
    the person's language."""
    zone = zone_of(time_zone)

    def unreadable_day() -> InvalidInput:
        example = example_day(locale, datetime.now(zone).date())
        return InvalidInput(N_("Choose a date, such as {example}."), field="date", example=example)

    try:
        chosen_day = _read_day(day)
    except ValueError:
        raise unreadable_day() from None
    try:
        chosen_time = time.fromisoformat(clock.strip())
    except ValueError:
        raise InvalidInput(N_("Choose a time, such as 14:30."), field="time") from None
    local = datetime.combine(chosen_day, chosen_time.replace(tzinfo=None), tzinfo=zone)
    try:
        return local.astimezone(UTC)
    except OverflowError:  # the first or last day a datetime can hold, in a zone far from UTC
        raise unreadable_day() from None


@lru_cache
def _full_date_without_year(locale: str) -> str:
    """The locale's full date pattern with the year left out: "EEEE d MMMM", "EEEE, MMMM d"."""
    pattern = Locale.parse(locale).date_formats["full"].pattern
    return re.sub(r"[,\s]*\by+\b", "", pattern).strip(" ,")


@dataclass(frozen=True)
class LocalFormat:
    """Dates and times in the reader's time zone and language, for the templates."""

    zone: ZoneInfo
    locale: str
    today: date
    today_label: str
    yesterday_label: str

    @classmethod
    def for_reader(
        cls, time_zone: str | None, locale: str, now: datetime, today_label: str, yesterday_label: str
    ) -> "LocalFormat":
        zone = zone_of(time_zone)
        return cls(zone, locale, now.astimezone(zone).date(), today_label, yesterday_label)

    def local(self, moment: datetime) -> datetime:
        """The moment in the reader's zone; in UTC where that zone would pass year 1 or 9999
        (what is stored is never refused on the way out: a page must show any stored value)."""
        try:
            return moment.astimezone(self.zone)
        except OverflowError:
            return moment.astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        return self.local(moment).date()

    def heading(self, day: date) -> str:
        """A day such as "Today" or "Tuesday 3 June" (with the year if not this year)."""
        if day == self.today:
            return self.today_label
        if day == self.today - timedelta(days=1):
            return self.yesterday_label
        if day.year == self.today.year:
            return format_date(day, _full_date_without_year(self.locale), locale=self.locale)
        return format_date(day, format="full", locale=self.locale)

    def by_day(self, items: Iterable[T], moment_of: Callable[[T], datetime]) -> list[tuple[str, list[T]]]:
        """Items (newest first) under the heading of their day: [("Today", [...]), ...]."""
        days: list[tuple[str, list[T]]] = []
        for item in items:
            heading = self.heading(self.day_of(moment_of(item)))
            if not days or days[-1][0] != heading:
                days.append((heading, []))
            days[-1][1].append(item)
        return days

    def time(self, moment: datetime) -> str:
        return format_time(self.local(moment), format="short", locale=self.locale)

    def date(self, moment: datetime) -> str:
        day = self.day_of(moment)
        if day.year == self.today.year:
            return format_skeleton("MMMMd", day, locale=self.locale)
        return format_skeleton("yMMMMd", day, locale=self.locale)

    def moment(self, moment: datetime) -> str:
        """A date and a time, such as "3 June, 14:05"."""
        return f"{self.date(moment)}, {self.time(moment)}"

    def stamp(self, moment: datetime) -> str:
        """A date with its year and a time without seconds, such as "2 Dec 2026, 14:05" (for
        records kept over years: "All my data", lists of sign-ins)."""
        day = format_skeleton("yMMMd", self.day_of(moment), locale=self.locale)
        return f"{day}, {self.time(moment)}"

    def long(self, moment: datetime) -> str:
        """A day and a time, such as "Tuesday 3 June, 14:05" (for appointments)."""
        return f"{self.heading(self.day_of(moment))}, {self.time(moment)}"

    def example_day(self) -> str:
        """A date to show as an example beside a date field (two weeks ahead)."""
        return example_day(self.locale, self.today)

    def pattern(self, moment: datetime, pattern: str = "medium") -> str:
        """In a CLDR pattern or style of the page's choosing ("d MMM y, HH:mm", "medium")."""
        return format_datetime(self.local(moment), format=pattern, locale=self.locale)


def days_left(purge_at: datetime | None, now: datetime) -> int:
    """Whole days before an entry in the trash is gone for good (at least 0)."""
    if purge_at is None:
        return 0
    remaining = purge_at - now
    return max(0, remaining.days + (1 if remaining % timedelta(days=1) else 0))
