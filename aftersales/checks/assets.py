"""Checks of an asset against the settings: its area and its warranty extensions."""

from __future__ import annotations

from collections.abc import Iterator

from aftersales.checks.common import error, warning
from aftersales.core.model import Asset, Settings
from aftersales.core.problems import Problem, did_you_mean


def check_asset(asset: Asset, s: Settings) -> Iterator[Problem]:
    path, line = asset.where.path, asset.where.line
    if asset.area not in s.areas:
        yield error(path, asset.lines.get("area", line), "unknown-area",
                    f"area {asset.area!r} is not one of the settings' areas ({', '.join(s.areas)})"
                    + did_you_mean(asset.area, s.areas))
    extension = sum(e.years for e in asset.extensions)
    if extension > s.max_extension_years:
        yield error(path, asset.lines.get("warranty", line), "warranty-cap",
                    f"warranty extensions add up to {extension} years; at most "
                    f"{s.max_extension_years} are allowed (warranty.max_extension_years)")
    if asset.extensions and asset.installed is None:
        yield warning(path, line, "warranty", "a warranty is extended but `installed` is missing")
