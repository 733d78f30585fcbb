"""Official public holidays of mainland China, as the State Council's yearly notice sets them.

The dates come from the `holidays` package (an optional dependency). Its China data
lists the statutory days, the observed days and the days off moved from a weekend
("Day off (substituted from X)"); the weekend days X are the make-up working days
(调休). A break as the notice announces it also includes the weekend days inside it
and next to it, which the package does not list: they are added here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import ModuleType

from aftersales.core.errors import AftersalesError

ONE_DAY = timedelta(days=1)
INSTALL_HINT = "install it with: pip install 'aftersales[holidays]'"
# The package's English names, as the settings file writes them.
NAMES = {
    "Chinese New Year's Eve": "Spring Festival",
    "Chinese New Year (Spring Festival)": "Spring Festival",
    "Chinese New Year Extended Holiday": "Spring Festival",
    "70th Anniversary of the Victory of the Chinese People's War of Resistance against "
    "Japanese Aggression and the World Anti-Fascist War": "Victory Day (70th anniversary)",
    "Tomb-Sweeping Day": "Qingming",
    "Labor Day": "Labour Day",
}
DAY_OFF = re.compile(r"^Day off \(substituted from (\d{2}/\d{2}/\d{4})\)$")
OBSERVED_SUFFIX = " (observed)"


@dataclass(frozen=True)
class HolidayRange:
    """Consecutive days off, both ends included."""

    first: date
    last: date
    name: str

    def days(self) -> list[date]:
        """Every date of the range, in order."""
        return [self.first + ONE_DAY * i for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class ChinaYear:
    """One year's official breaks and make-up working days."""

    year: int
    holidays: list[HolidayRange]
    extra_workdays: list[date]

    def holiday_dates(self) -> frozenset[date]:
        """Every day off of every break."""
        return frozenset(d for r in self.holidays for d in r.days())


def china_year(year: int) -> ChinaYear:
    """The official breaks and make-up days of `year`; refuse a year not yet published."""
    package = _import_holidays()
    _require_published(package, year)
    entries = _entries(package, year)
    extra = sorted(_make_up_days(entries, year))
    # Neighbouring years' make-up days can sit next to this year's breaks.
    blocked = _make_up_days(entries, year - 1) | _make_up_days(entries, year + 1) | set(extra)
    own = {d: name for d, name in entries.items() if d.year == year}
    return ChinaYear(year, _ranges(own, entries, blocked), extra)


def to_yaml(cy: ChinaYear) -> str:
    """The year's lists, ready to paste under a calendar in aftersales.yaml."""
    lines = ["    holidays:"]
    for r in cy.holidays:
        span = r.first.isoformat() if r.first == r.last else f"{r.first}..{r.last}"
        lines.append(f"      - {span:<22}   # {r.name}")
    days = ", ".join(d.isoformat() for d in cy.extra_workdays)
    lines.append(f"    extra_workdays: [{days}]")
    return "\n".join(lines) + "\n"


def _import_holidays() -> ModuleType:
    try:
        import holidays
    except ImportError:
        raise AftersalesError(
            f"official Chinese holidays need the 'holidays' package; {INSTALL_HINT}"
        ) from None
    return holidays


def _require_published(package: ModuleType, year: int) -> None:
    """Refuse a year whose official notice the installed data does not hold.

    For a year beyond its data the package extrapolates: it applies the statutory
    dates and a generic weekend rule, which is not what the notice will say. The
    signal that a year's notice was transcribed is its row in the package's
    substituted-days table (`ChinaStaticHolidays.special_public_holidays`): the
    maintainers add one per notice, and every notice since 2001 (the first the
    package checked) has moved at least one day off. A future notice that moves no
    day would be refused too; refusing is the safe side of that trade.
    """
    try:
        from holidays.countries.china import ChinaStaticHolidays

        published = year in ChinaStaticHolidays.special_public_holidays
    except (ImportError, AttributeError):
        unknown = "the installed 'holidays' package has China data in an unknown shape"
        raise AftersalesError(f"{unknown}; {INSTALL_HINT}") from None
    if not published:
        raise AftersalesError(
            f"the official notice for {year} is not published in the installed data "
            f"(holidays {package.__version__}); upgrade it (pip install -U holidays) "
            "once the State Council has published it, or write that year's holidays by hand"
        )


def _entries(package: ModuleType, year: int) -> dict[date, str]:
    """The package's public days off of `year` and its neighbours, by date, in English."""
    years = [y for y in (year - 1, year, year + 1) if 1 <= y <= 9999]
    # PUBLIC only: the half-day observances (Women's Day, Youth Day, Children's Day,
    # Army Day) are not days off for everyone.
    found = package.China(years=years, categories=(package.PUBLIC,), language="en_US")
    return {d: name for d, name in found.items()}


def _make_up_days(entries: dict[date, str], year: int) -> set[date]:
    """The working days that `year`'s days off were moved from."""
    days = set()
    for d, name in entries.items():
        if d.year == year and name.startswith("Day off"):
            days.add(_moved_from(name))
    return days


def _moved_from(name: str) -> date:
    match = DAY_OFF.match(name)
    if not match:
        raise AftersalesError(f"cannot read the make-up day in the 'holidays' entry {name!r}")
    return datetime.strptime(match.group(1), "%m/%d/%Y").date()


def _ranges(days: dict[date, str], entries: dict[date, str], blocked: set[date]) -> list[HolidayRange]:
    """Merge days off into breaks, through and around weekends that are not make-up days."""

    def fills(d: date) -> bool:
        return d.weekday() >= 5 and d not in blocked

    ranges: list[HolidayRange] = []
    for d in sorted(days):
        if ranges and _bridged(ranges[-1].last, d, fills):
            last = ranges[-1]
            ranges[-1] = HolidayRange(last.first, d, last.name)
        else:
            ranges.append(HolidayRange(d, d, ""))
    return [_widen(r, entries, fills) for r in ranges]


def _bridged(last: date, d: date, fills: Callable[[date], bool]) -> bool:
    """Whether every day strictly between `last` and `d` is a free weekend day."""
    gap = last + ONE_DAY
    while gap < d and fills(gap):
        gap += ONE_DAY
    return gap == d


def _widen(r: HolidayRange, entries: dict[date, str], fills: Callable[[date], bool]) -> HolidayRange:
    """Extend a break over the free weekend days next to it and name it."""
    first, last = r.first, r.last
    while fills(first - ONE_DAY):
        first -= ONE_DAY
    while fills(last + ONE_DAY):
        last += ONE_DAY
    name = _name(entries[d] for d in r.days() if d in entries)
    if not name:
        # Only moved days off, like Dec 31 announced for the next New Year's Day:
        # the festival next to them (in the neighbouring year) names the break.
        name = _name(entries[d] for d in (first - ONE_DAY, last + ONE_DAY) if d in entries)
    return HolidayRange(first, last, name or "Day off")


def _name(labels: Iterable[str]) -> str:
    """The break's name: its festivals in order, without the moved days off."""
    names: list[str] = []
    # The package joins the names of one date with "; ".
    for label in (part for joined in labels for part in joined.split("; ")):
        if label.startswith("Day off"):
            continue
        label = label.removesuffix(OBSERVED_SUFFIX)
        label = NAMES.get(label, label)
        if label not in names:
            names.append(label)
    return ", ".join(names)
