"""`aftersales calendar cn YEAR`: official holidays as YAML, or a clear refusal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from aftersales.cli import cli

pytest.importorskip("holidays")

EXPECTED_2026 = """\
    holidays:
      - 2026-01-01..2026-01-03   # New Year's Day
      - 2026-02-15..2026-02-23   # Spring Festival
      - 2026-04-04..2026-04-06   # Qingming
      - 2026-05-01..2026-05-05   # Labour Day
      - 2026-06-19..2026-06-21   # Dragon Boat Festival
      - 2026-09-25..2026-09-27   # Mid-Autumn Festival
      - 2026-10-01..2026-10-07   # National Day
    extra_workdays: [2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10]
"""


def test_2026_prints_the_official_notice_as_yaml():
    result = CliRunner().invoke(cli, ["calendar", "cn", "2026"])
    assert result.exit_code == 0
    assert result.output == EXPECTED_2026


def test_the_2026_lists_match_the_default_settings():
    from aftersales.edit.init import default_settings_text

    text = default_settings_text()
    for line in EXPECTED_2026.splitlines():
        assert line.split("#")[0].rstrip() in text


def test_a_year_not_yet_published_is_refused_not_guessed():
    result = CliRunner().invoke(cli, ["calendar", "cn", "2027"])
    assert result.exit_code == 1
    assert "not published" in result.output
    assert "Traceback" not in result.output


def test_a_year_out_of_range_is_a_usage_error():
    result = CliRunner().invoke(cli, ["calendar", "cn", "20266"])
    assert result.exit_code == 2
