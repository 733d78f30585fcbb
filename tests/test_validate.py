"""`aftersales validate`: every rule fails once and passes once, checked to the exact line."""

from __future__ import annotations

import json

import pytest
from conftest import ASSET, INSPECTION, REPORTED, TICKET, event, expect, problems, run, ticket

T = TICKET  # tickets/2026/T-1.yaml
S = "aftersales.yaml"
INS = "inspections/2026/INS-1.yaml"


def test_the_building_blocks_are_valid(records):
    records.write(T, ticket())
    records.write(INS, INSPECTION)
    result = records.run()
    expect(result, code=0)
    assert result.output == "ok: 1 asset, 1 ticket, 1 inspection, 1 part, no problems\n"


# --- required keys, types, allowed values, unknown keys -----------------------

def test_a_missing_required_key(records):
    records.write(T, ticket().replace("summary: 扶手松动\n", ""))
    expect(records.run(), f"{T}:1:1: error[required]: summary: required key is missing")


def test_a_required_key_without_value(records):
    records.write(T, ticket().replace("summary: 扶手松动", "summary:"))
    expect(records.run(), f"{T}:4:1: error[required]: summary: must have a value")


def test_an_event_without_at(records):
    records.write(T, ticket("{type: reported}"))
    expect(records.run(), f"{T}:6:5: error[required]: events[1].at: required key is missing")


def test_a_repair_ticket_needs_an_asset(records):
    records.write(T, ticket().replace("asset: CHAIR-1\n", ""))
    expect(records.run(), f"{T}:1:1: error[required]: asset: required for a repair ticket")


def test_an_inquiry_needs_no_asset(records):
    records.write(T, ticket().replace("asset: CHAIR-1\n", "").replace("kind: repair", "kind: inquiry"))
    expect(records.run(), code=0)


def test_a_wrong_type(records):
    records.write(T, ticket(extra="location: [第3排, 12号]\n"))
    expect(records.run(), f"{T}:7:11: error[type]: location: expected text, got a list")


def test_a_number_where_a_whole_number_belongs(records):
    records.asset(quantity=2.5)
    expect(records.run(),
           "assets/CHAIR-1.yaml:6:11: error[type]: quantity: expected a whole number from 1, got 2.5")


def test_the_right_types_pass(records):
    records.asset(quantity=240, location="报告厅一楼 1-12 排")
    expect(records.run(), code=0)


def test_a_value_not_allowed_suggests_the_closest(records):
    records.write(T, ticket(extra="severity: urgnt\n"))
    expect(records.run(), f"{T}:7:11: error[value]: severity: 'urgnt' is not one of emergency, urgent, "
                          "normal (did you mean 'urgent'?)")


def test_an_unknown_event_type_suggests_the_closest(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolvd")))
    expect(records.run(), f"{T}:7:43: error[value]: events[2].type: 'resolvd' is not one of "
                          "reported, assigned, responded, arrived, inspected, workaround, paused, resumed, "
                          "escalated, resolved, accepted, diagnosed, informed, callback, message, revisit, "
                          "reopened, cancelled, note (did you mean 'resolved'?)")


def test_allowed_values_pass(records):
    records.write(T, ticket(extra="severity: urgent\ncategory: hardware\nchannel: wechat\n"))
    expect(records.run(), code=0)


def test_an_unknown_key_in_a_record(records):
    records.write(T, ticket(extra="sumary: 又松了\n"))
    expect(records.run(), f"{T}:7:1: error[unknown-key]: sumary: unknown key (did you mean 'summary'?)")


def test_an_unknown_key_in_an_event(records):
    records.write(T, ticket("{at: 2026-03-14T09:12:00+08:00, type: reported, bye: cs-li}"))
    expect(records.run(), f"{T}:6:53: error[unknown-key]: events[1].bye: unknown key (did you mean 'by'?)")


def test_an_unknown_key_in_the_settings(records):
    records.edit(S, "warranty:\n", "waranty:\n")
    expect(records.run(), f"{S}:27:1: error[unknown-key]: waranty: unknown key (did you mean 'warranty'?)")


def test_an_unknown_nested_key_in_the_settings(records):
    records.edit(S, "  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n  timzone: UTC\n")
    expect(records.run(),
           f"{S}:5:3: error[unknown-key]: project.timzone: unknown key (did you mean 'timezone'?)")


def test_a_time_zone_that_does_not_exist(records):
    records.edit(S, "Asia/Shanghai", "Asia/Shangai")
    expect(records.run(), f"{S}:4:13: error[value]: project.timezone: 'Asia/Shangai' is not an IANA "
                          "time zone like Asia/Shanghai")


# --- ids, files and folders ---------------------------------------------------

def test_the_id_must_be_the_file_name(records):
    records.write("tickets/2026/T-2.yaml", ticket())
    expect(records.run(), "tickets/2026/T-2.yaml:1:1: error[id-mismatch]: id 'T-1' does not match "
                          "the file name T-2.yaml")


def test_a_ticket_in_the_wrong_year_folder(records):
    records.write("tickets/2025/T-1.yaml", ticket())
    expect(records.run(), "tickets/2025/T-1.yaml:1:1: error[wrong-folder]: ticket of 2026 is in the 2025 "
                          "folder; move it to tickets/2026/")


def test_the_year_is_the_year_in_the_project_time_zone(records):
    # 16:30 UTC on New Year's Eve is already 2026 in Shanghai.
    records.write(T, ticket("{at: 2025-12-31T16:30:00+00:00, type: reported}"))
    expect(records.run(), code=0)


def test_an_inspection_in_the_wrong_year_folder(records):
    records.write("inspections/2025/INS-1.yaml", INSPECTION)
    expect(records.run(), "inspections/2025/INS-1.yaml:1:1: error[wrong-folder]: inspection of 2026 is in "
                          "the 2025 folder; move it to inspections/2026/")


def test_a_ticket_directly_under_tickets(records):
    records.write("tickets/T-1.yaml", ticket())
    expect(records.run(), "tickets/T-1.yaml:1:1: error[wrong-folder]: tickets live in year folders: "
                          "move it to tickets/<YYYY>/T-1.yaml")


def test_a_folder_that_is_not_a_year(records):
    records.write("tickets/old/T-1.yaml", ticket())
    expect(records.run(), "tickets/old:1:1: error[wrong-folder]: tickets/ holds year folders like "
                          "tickets/2026/; what is in this folder is not read", code=1)


def test_the_same_ticket_id_in_two_year_folders(records):
    records.write("tickets/2025/T-1.yaml", ticket("{at: 2025-12-30T09:00:00+08:00, type: reported}"))
    records.write(T, ticket())
    expect(records.run(), f"{T}:1:1: error[duplicate-id]: ticket id 'T-1' is also used by "
                          "tickets/2025/T-1.yaml")


def test_different_ids_in_two_year_folders_pass(records):
    records.ticket("T-0", event("2025-12-30 09:00", "reported"))
    records.write(T, ticket())
    expect(records.run(), code=0)


def test_a_duplicate_key(records):
    records.write(T, ticket(extra="summary: 又松了\n"))
    expect(records.run(), f"{T}:7:1: error[duplicate-key]: key 'summary' appears twice in one mapping "
                          "(first on line 4); YAML would silently keep only the last one")


def test_a_duplicate_key_in_the_settings(records):
    records.edit(S, "  timezone: Asia/Shanghai\n", "  timezone: Asia/Shanghai\n  name: 另一个\n")
    expect(records.run(), f"{S}:5:3: error[duplicate-key]: key 'name' appears twice in one mapping "
                          "(first on line 3); YAML would silently keep only the last one")


# --- YAML 1.1 surprises -------------------------------------------------------

@pytest.mark.parametrize(("written", "became"), [
    ("no", "the boolean false"), ("yes", "the boolean true"),
    ("on", "the boolean true"), ("Off", "the boolean false"),
])
def test_yaml_booleans_where_text_belongs(records, written, became):
    records.write(T, ticket(extra=f"location: {written}\n"))
    expect(records.run(), f"{T}:7:11: error[yaml-1.1]: location: YAML reads {written} as {became}; "
                          f'write it in quotes ("{written}") to keep it as text')


def test_a_phone_number_with_a_leading_zero(records):
    records.write(T, ticket(extra="reporter: {name: 王老师, phone: 05126543}\n"))
    expect(records.run(), f"{T}:7:30: error[yaml-1.1]: reporter.phone: YAML reads 05126543 as the octal "
                          'number 1355107; write it in quotes ("05126543") to keep it as text')


def test_a_time_as_a_name(records):
    records.write(T, ticket(extra="reporter: {name: 1:30}\n"))
    expect(records.run(), f"{T}:7:18: error[yaml-1.1]: reporter.name: YAML reads 1:30 as the number 90 "
                          '(base 60); write it in quotes ("1:30") to keep it as text')


def test_quoted_values_are_text(records):
    records.write(T, ticket(extra='location: "no"\nreporter: {name: "1:30", phone: "05126789"}\n'))
    records.asset(model='"1.10"')
    expect(records.run(), code=0)


def test_an_unquoted_version_number(records):
    records.asset(model="1.10")
    expect(records.run(), "assets/CHAIR-1.yaml:6:8: error[type]: model: expected text, got 1.1")


# --- times and the event log --------------------------------------------------

def test_a_time_without_offset(records):
    records.write(T, ticket("{at: 2026-03-14T09:12:00, type: reported}"))
    expect(records.run(), f"{T}:6:10: error[no-offset]: events[1].at: 2026-03-14T09:12:00 has no UTC "
                          "offset; write it like 2026-03-14T09:12:00+08:00")


def test_a_time_with_offset_in_any_zone(records):
    records.write(T, ticket("{at: 2026-03-14T01:12:00Z, type: reported}", event("10:00", "responded")))
    expect(records.run(), code=0)


def test_nothing_happens_before_the_request_is_reported(records):
    records.write(T, ticket(REPORTED, event("09:00", "responded")))
    expect(records.run(), f"{T}:7:1: error[before-reported]: `responded` at 2026-03-14T09:00:00+08:00 is before "
                          "the request was reported (2026-03-14T09:12:00+08:00); is the date right?")


def test_an_event_written_after_a_later_one_is_a_late_entry_and_carries_logged(records):
    records.write(T, ticket(REPORTED, event("11:00", "resolved"), event("10:00", "arrived")))
    expect(records.run(), f"{T}:8:1: error[late-entry]: `arrived` at 2026-03-14T10:00:00+08:00 comes after a "
                          "later event in the file; a late entry carries `logged` (`ticket log --at` writes it)")
    records.write(T, ticket(REPORTED, event("11:00", "resolved"),
                            event("10:00", "arrived", ", logged: 2026-03-14T15:05:00+08:00")))
    expect(records.run(), code=0)   # read in the order of `at`: arrived, then resolved


def test_logged_is_never_before_the_event(records):
    records.write(T, ticket(REPORTED, event("10:00", "arrived", ", logged: 2026-03-14T09:59:00+08:00")))
    expect(records.run(), f"{T}:7:1: error[logged-before]: `logged` 2026-03-14T09:59:00+08:00 is before the "
                          "event itself (2026-03-14T10:00:00+08:00)")


@pytest.mark.parametrize(("kind", "message"), [
    ("arrived", "`arrived` after `resolved`: if it happened before the fix, log it with its time (a late entry); "
                "if the fix did not hold, log `reopened` first"),
    ("paused", "`paused` after `resolved`: if it happened before the fix, log it with its time (a late entry); "
               "if the fix did not hold, log `reopened` first"),
    ("cancelled", "`cancelled` after `resolved`: if it happened before the fix, log it with its time (a late "
                  "entry); if the fix did not hold, log `reopened` first"),
])
def test_what_cannot_happen_to_a_fixed_ticket(records, kind, message):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"), event("11:00", kind)))
    expect(records.run(), f"{T}:8:1: error[after-resolved]: {message}")


def test_resolved_before_arrived_is_fine_once_arrived_is_a_late_entry_before_it(records):
    records.write(T, ticket(REPORTED, event("10:30", "resolved"),
                            event("10:00", "arrived", ", logged: 2026-03-14T12:00:00+08:00"),
                            event("12:30", "callback", ", satisfaction: 5")))
    expect(records.run(), code=0)


def test_an_event_after_now_is_an_error_as_of_at(records):
    records.write(T, ticket(REPORTED, event("10:00", "arrived").replace("2026-03-14", "2062-03-14")))
    message = (f"{T}:7:1: error[future]: `arrived` at 2062-03-14T10:00:00+08:00 is after now "
               "(2026-06-01T00:00:00+08:00); a typo in the date?")
    expect(records.run("--at", "2026-06-01"), message)
    assert records.run("--at", "2062-03-15").exit_code == 0


def test_events_at_the_same_time_are_in_order(records):
    records.write(T, ticket(REPORTED, event("09:12", "responded")))
    expect(records.run(), code=0)


def test_the_first_event_must_be_reported(records):
    records.write(T, ticket(event("09:12", "responded")))
    expect(records.run(), f"{T}:6:1: error[first-event]: the first event must be `reported`, not `responded`")


def test_reported_only_once(records):
    records.write(T, ticket(REPORTED, event("10:00", "reported")))
    expect(records.run(), f"{T}:7:1: error[first-event]: `reported` can only be the first event")


def test_an_event_after_cancelled(records):
    records.write(T, ticket(REPORTED, event("10:00", "cancelled"), event("11:00", "responded")))
    expect(records.run(), f"{T}:8:1: error[after-cancel]: `responded` after `cancelled`: only `reopened` "
                          "may follow a cancellation; if it happened before the cancellation, log it with its "
                          "time (a late entry)")


def test_reopened_after_cancelled(records):
    records.write(T, ticket(REPORTED, event("10:00", "cancelled"), event("11:00", "reopened"),
                            event("12:00", "responded")))
    expect(records.run(), code=0)


def test_a_field_the_event_does_not_carry(records):
    records.write(T, ticket(REPORTED, event("10:00", "responded", ", satisfaction: 5")))
    expect(records.run(), f"{T}:7:1: error[event-field]: `responded` does not carry `satisfaction` "
                          "(only `callback` and `revisit` events do)")


def test_a_field_two_event_types_carry(records):
    records.write(T, ticket(REPORTED, event("10:00", "arrived", ", to: eng-wang")))
    expect(records.run(), f"{T}:7:1: error[event-field]: `arrived` does not carry `to` "
                          "(only `assigned` and `escalated` events do)")


def test_fields_on_the_events_that_carry_them(records):
    records.write(T, ticket(
        REPORTED,
        event("09:20", "assigned", ", to: eng-zhang"),
        event("09:30", "paused", ", reason: 等配件"),
        event("09:40", "resumed"),
        event("09:50", "escalated", ", to: tier-2"),
        event("10:00", "workaround", ", until: 2026-03-16T12:00:00+08:00"),
        event("11:00", "resolved", ", parts: [{part: BOLT-M8, qty: 2}], cost: 0"),
        event("12:00", "callback", ", satisfaction: 4"),
    ))
    expect(records.run(), code=0)


@pytest.mark.parametrize("score", [0, 6])
def test_satisfaction_out_of_range(records, score):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"),
                            event("11:00", "callback", f", satisfaction: {score}")))
    expect(records.run(), f"{T}:8:67: error[range]: events[3].satisfaction: {score} is out of range; "
                          "expected a whole number from 1 to 5")


@pytest.mark.parametrize("score", [1, 5])
def test_satisfaction_in_range(records, score):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"),
                            event("11:00", "callback", f", satisfaction: {score}")))
    expect(records.run(), code=0)


def test_a_callback_on_an_open_ticket(records):
    records.write(T, ticket(REPORTED, event("11:00", "callback", ", satisfaction: 5")))
    expect(records.run(), f"{T}:7:1: error[not-resolved]: `callback` on a ticket that is not resolved")


def test_a_callback_after_reopened(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"), event("11:00", "reopened"),
                            event("12:00", "callback")))
    expect(records.run(), f"{T}:9:1: error[not-resolved]: `callback` on a ticket that is not resolved")


def test_resumed_without_paused(records):
    records.write(T, ticket(REPORTED, event("11:00", "resumed")))
    expect(records.run(), f"{T}:7:1: error[not-paused]: `resumed` without a `paused` before it")


def test_paused_then_resumed(records):
    records.write(T, ticket(REPORTED, event("10:00", "paused"), event("11:00", "resumed")))
    expect(records.run(), code=0)


def test_until_before_the_event(records):
    records.write(T, ticket(REPORTED, event("10:00", "workaround", ", until: 2026-03-14T09:00:00+08:00")))
    expect(records.run(), f"{T}:7:1: error[until-before]: `until` 2026-03-14T09:00:00+08:00 is before the "
                          "event itself")


def test_until_after_the_event(records):
    records.write(T, ticket(REPORTED, event("10:00", "workaround", ", until: 2026-03-16T09:00:00+08:00")))
    expect(records.run(), code=0)


# --- references ---------------------------------------------------------------

def test_every_reference_resolves(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolved", ", parts: [{part: BOLT-M8, qty: 2}]"),
                            extra="inspection: INS-1\narea: lobby\npriority: critical\n"))
    records.write(INS, INSPECTION.replace("problem: 靠背回弹不足}", "problem: 靠背回弹不足, ticket: T-1}"))
    expect(records.run(), code=0)


def test_a_ticket_naming_an_unknown_asset(records):
    records.write(T, ticket().replace("asset: CHAIR-1", "asset: CHAIR-2"))
    expect(records.run(), f"{T}:3:1: error[unknown-asset]: asset 'CHAIR-2' does not exist "
                          "(no assets/CHAIR-2.yaml) (did you mean 'CHAIR-1'?)")


def test_a_ticket_naming_an_unknown_inspection(records):
    records.write(T, ticket(extra="inspection: INS-9\n"))
    expect(records.run(), f"{T}:7:1: error[unknown-inspection]: inspection 'INS-9' does not exist")


def test_a_ticket_naming_an_unknown_area_and_priority(records):
    records.write(T, ticket(extra="area: lobi\npriority: hgh\n")
                  .replace("kind: repair\nasset: CHAIR-1", "kind: inquiry\nchannel: phone"))
    expect(records.run(),
           f"{T}:7:1: error[unknown-area]: area 'lobi' is not one of the settings' areas (did you mean 'lobby'?)",
           f"{T}:8:1: error[unknown-priority]: priority 'hgh' is not one of critical, normal")


def test_a_ticket_area_other_than_its_assets(records):
    records.write(T, ticket(extra="area: office\n"))
    expect(records.run(), f"{T}:7:1: warning[area-mismatch]: area 'office' differs from the asset's area "
                          "'lobby'", code=0)


def test_an_asset_in_an_unknown_area(records):
    records.asset(area="lobi")
    expect(records.run(), "assets/CHAIR-1.yaml:4:1: error[unknown-area]: area 'lobi' is not one of the "
                          "settings' areas (lobby, office) (did you mean 'lobby'?)")


def test_a_finding_naming_an_unknown_asset_and_ticket(records):
    records.write(INS, INSPECTION.replace("{id: F1, asset: CHAIR-1, problem: 靠背回弹不足}",
                                          "{id: F1, asset: CHAIR-9, problem: 靠背回弹不足, ticket: T-9}"))
    expect(records.run(),
           f"{INS}:9:1: error[unknown-asset]: finding F1: asset 'CHAIR-9' does not exist "
           "(did you mean 'CHAIR-1'?)",
           f"{INS}:9:1: error[unknown-ticket]: finding F1: ticket 'T-9' does not exist")


def test_an_inspection_naming_an_unknown_plan_and_area(records):
    records.write(INS, INSPECTION.replace("plan: quarterly", "plan: quartely").replace("[lobby]", "[loby]"))
    expect(records.run(),
           f"{INS}:2:1: error[unknown-plan]: plan 'quartely' is not a maintenance plan "
           "(did you mean 'quarterly'?)",
           f"{INS}:5:1: error[unknown-area]: area 'loby' is not one of the settings' areas "
           "(did you mean 'lobby'?)")


def test_checks_naming_an_unknown_asset_and_checklist_item(records):
    records.write(INS, INSPECTION.replace("{asset: CHAIR-1, appearance", "{asset: CHAIR-9, apperance"))
    expect(records.run(),
           f"{INS}:7:1: error[unknown-asset]: asset 'CHAIR-9' does not exist (did you mean 'CHAIR-1'?)",
           f"{INS}:7:1: error[unknown-key]: 'apperance' is not on the checklist of plan quarterly "
           "(appearance, function) (did you mean 'appearance'?)")


def test_a_check_result_not_allowed(records):
    records.write(INS, INSPECTION.replace("function: issue", "function: bad"))
    expect(records.run(), f"{INS}:7:48: error[value]: checks[1].function: 'bad' is not one of ok, issue, n/a")


def test_an_event_using_an_unknown_part(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolved", ", parts: [{part: BOLT-M9, qty: 2}]")))
    expect(records.run(), f"{T}:7:1: error[unknown-part]: part 'BOLT-M9' does not exist "
                          "(no parts/BOLT-M9.yaml) (did you mean 'BOLT-M8'?)")


# --- settings: calendars, durations, rules, priorities ------------------------

def test_a_holiday_range_that_ends_before_it_starts(records):
    records.edit(S, "2026-02-15..2026-02-23", "2026-02-23..2026-02-15")
    expect(records.run(), f"{S}:13:16: error[range]: calendars.workdays.holidays[1]: the range "
                          "2026-02-23..2026-02-15 ends before it starts")


def test_hours_outside_a_day(records):
    records.edit(S, '"08:30-12:00"', '"25:00-26:00"')
    expect(records.run(), f"{S}:12:13: error[format]: calendars.workdays.hours[1]: '25:00-26:00' is not "
                          'a window of hours like "08:30-12:00"')


def test_a_window_that_ends_before_it_starts(records):
    records.edit(S, '"08:30-12:00"', '"12:00-08:30"')
    expect(records.run(), f"{S}:12:13: error[range]: calendars.workdays.hours[1]: the window 12:00-08:30 "
                          "ends before it starts")


def test_overlapping_windows(records):
    records.edit(S, '"13:30-17:30"', '"11:00-17:30"')
    expect(records.run(), f"{S}:11:1: error[calendar]: calendars.workdays.hours: windows overlap at 11:00")


def test_windows_up_to_midnight(records):
    records.edit(S, '"13:30-17:30"', '"13:30-24:00"')
    expect(records.run(), code=0)


def test_a_target_naming_an_unknown_calendar(records):
    records.edit(S, "calendar: workdays", "calendar: workday")
    expect(records.run(), f"{S}:21:1: error[unknown-calendar]: sla.targets[2] (return-inspection).calendar: "
                          "no calendar 'workday' (did you mean 'workdays'?)")


def test_a_target_on_the_builtin_calendar(records):
    records.edit(S, "calendar: workdays", "calendar: always")
    expect(records.run(), code=0)


@pytest.mark.parametrize("written", ["2x", "0h"])
def test_a_bad_duration(records, written):
    records.edit(S, "within: 3d", f"within: {written}")
    expect(records.run(), f"{S}:25:15: error[duration]: sla.targets[2].within: '{written}' is not a "
                          "duration: write a positive whole number and a unit, like 30m, 2h or 3d")


@pytest.mark.parametrize("written", ["30m", "72h", "1d"])
def test_good_durations(records, written):
    records.edit(S, "within: 3d", f"within: {written}")
    expect(records.run(), code=0)


def test_a_bad_rrule(records):
    records.edit(S, "FREQ=MONTHLY;", "FREQ=SOMETIMES;")
    expect(records.run(), f"{S}:33:12: error[rrule]: maintenance[1].rrule: "
                          "'FREQ=SOMETIMES;BYMONTH=3,6,9,12;BYMONTHDAY=-1' is not a valid RFC 5545 rule "
                          "(invalid 'FREQ': SOMETIMES)")


def test_a_good_rrule(records):
    records.edit(S, "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO")
    expect(records.run(), code=0)


def test_warranty_extensions_over_the_cap(records):
    records.asset(warranty="extensions:\n  - {years: 2}\n  - {years: 2}")
    expect(records.run(), "assets/CHAIR-1.yaml:6:1: error[warranty-cap]: warranty extensions add up to 4 "
                          "years; at most 3 are allowed (warranty.max_extension_years)")


def test_warranty_extensions_at_the_cap(records):
    records.asset(warranty="extensions:\n  - {years: 2}\n  - {years: 1}")
    expect(records.run(), code=0)


def test_an_area_priority_not_in_priorities(records):
    records.edit(S, "priority: normal}", "priority: norml}")
    expect(records.run(), f"{S}:7:1: error[unknown-priority]: areas.office.priority: 'norml' is not one of "
                          "priorities (critical, normal) (did you mean 'normal'?)")


def test_within_missing_a_priority(records):
    records.edit(S, "{critical: 2h, normal: 4h}", "{critical: 2h}")
    expect(records.run(), f"{S}:16:1: error[required]: sla.targets[1] (response).within: no time for "
                          "priority normal")


def test_within_naming_an_unknown_priority(records):
    records.edit(S, "{critical: 2h, normal: 4h}", "{critical: 2h, normal: 4h, low: 8h}")
    expect(records.run(), f"{S}:16:1: error[unknown-priority]: sla.targets[1] (response).within: 'low' is "
                          "not one of priorities (critical, normal)")


def test_a_movement_with_both_in_and_count(records):
    records.part("BOLT-M8", "{date: 2026-01-05, in: 200, count: 180}")
    expect(records.run(), "parts/BOLT-M8.yaml:4:1: error[movement]: a movement has exactly one of `in`, "
                          "`out` or `count` (it has in, count)")


def test_movements_with_one_quantity_each(records):
    records.part("BOLT-M8", "{date: 2026-01-05, in: 200}", "{date: 2026-02-01, out: 3}",
                 "{date: 2026-03-31, count: 180}")
    expect(records.run(), code=0)


# --- output -------------------------------------------------------------------

def test_json_output(records):
    records.write(T, ticket(extra="severity: 紧急\n"))
    result = records.run("--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "path": T, "line": 7, "column": 11, "severity": "error", "code": "value",
        "message": "severity: '紧急' is not one of emergency, urgent, normal",
    }]
    assert "紧急" in result.stdout  # written as text, not \u escapes


def test_json_output_of_clean_records(records):
    result = records.run("--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_json_warnings_only_exit_zero(records):
    records.write_bytes("assets/notes.txt", b"notes")
    result = records.run("--format", "json")
    assert result.exit_code == 0
    assert [sorted(p) for p in json.loads(result.stdout)] == [
        ["code", "column", "line", "message", "path", "severity"]]


def test_summary_with_problems(records):
    records.asset("CHAIR-2")
    records.part("BOLT-M6", "{date: 2026-01-05, in: 200}")
    records.write_bytes("assets/notes.txt", b"notes")
    records.write(T, ticket(extra="severity: urgnt\nsumary: x\n"))
    result = records.run()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        "2 errors, 1 warning in 2 files (2 assets, 1 ticket, 0 inspections, 2 parts read)")


def test_summary_without_problems(records):
    records.asset("CHAIR-2")
    records.part("BOLT-M6", "{date: 2026-01-05, in: 200}")
    records.write(T, ticket())
    records.ticket("T-2")
    assert records.run().output == "ok: 2 assets, 2 tickets, 0 inspections, 2 parts, no problems\n"


def test_summary_counts_one_record_in_the_singular(records):
    records.write(T, ticket())
    records.write(INS, INSPECTION)
    assert records.run().output == "ok: 1 asset, 1 ticket, 1 inspection, 1 part, no problems\n"


def test_problems_are_sorted_settings_first_then_by_file_and_line(records):
    records.edit(S, "warranty:\n", "waranty:\n")
    records.write(T, ticket(extra="sumary: x\nseverity: urgnt\n"))
    records.asset(area="lobi")
    assert [line.split(": ")[0] for line in problems(records.run())] == [
        f"{S}:27:1", "assets/CHAIR-1.yaml:4:1", f"{T}:7:1", f"{T}:8:11"]


# --- finding the records root -------------------------------------------------

def test_records_is_not_a_records_folder(tmp_path):
    result = run("validate", "--records", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {tmp_path} (from --records) is not a records folder: it has no aftersales.yaml\n"


def test_environment_variable_is_not_a_records_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("AFTERSALES_RECORDS", str(tmp_path))
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path} (from $AFTERSALES_RECORDS) is not a records folder: "
                             "it has no aftersales.yaml\n")


def test_no_records_folder_above_the_current_one(tmp_path, monkeypatch):
    monkeypatch.delenv("AFTERSALES_RECORDS", raising=False)
    monkeypatch.chdir(tmp_path)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: no records folder found: no aftersales.yaml in {tmp_path} ")
    assert "aftersales init DIR" in result.stderr


def test_the_environment_variable_finds_the_root(records, monkeypatch, tmp_path):
    records.write(T, ticket(extra="sumary: x\n"))
    monkeypatch.setenv("AFTERSALES_RECORDS", str(records.root))
    monkeypatch.chdir(tmp_path)
    expect(run("validate"), f"{T}:7:1: error[unknown-key]: sumary: unknown key (did you mean 'summary'?)")


def test_records_wins_over_the_environment_variable(records, monkeypatch, tmp_path):
    monkeypatch.setenv("AFTERSALES_RECORDS", str(tmp_path))
    expect(records.run(), code=0)


def test_walking_up_from_a_subfolder(records, monkeypatch):
    records.write(T, ticket(extra="sumary: x\n"))
    monkeypatch.chdir(records.root / "tickets" / "2026")
    expect(run("validate"), f"{T}:7:1: error[unknown-key]: sumary: unknown key (did you mean 'summary'?)")


def test_a_signoff_before_the_inspection(records):
    records.write(INS, INSPECTION + "signoff: {name: 李主任, date: 2026-03-26}\n")
    expect(records.run(), f"{INS}:10:1: error[date-order]: signed off 2026-03-26, before the inspection "
                          "(2026-03-27)")


def test_a_signoff_on_the_inspection_day(records):
    records.write(INS, INSPECTION + "signoff: {name: 李主任, date: 2026-03-27}\n")
    assert records.run().exit_code == 0


def test_reopened_on_an_open_ticket(records):
    records.write(T, ticket(REPORTED, event("10:00", "reopened")))
    expect(records.run(), f"{T}:7:1: error[not-closed]: `reopened` on an open ticket: only a resolved or "
                          "cancelled ticket can be reopened")


def test_reopened_after_resolved_and_resolved_again(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"), event("11:00", "reopened"),
                            event("12:00", "resolved")))
    assert records.run().exit_code == 0


def test_resolved_twice_without_reopening(records):
    records.write(T, ticket(REPORTED, event("10:00", "resolved"), event("11:00", "resolved")))
    expect(records.run(), f"{T}:8:1: error[already-resolved]: `resolved` on a ticket that is already resolved; "
                          "log `reopened` first")


def test_an_rrule_part_out_of_range(records):
    records.edit(S, "BYMONTH=3,6,9,12;", "BYMONTH=3,6,9,13;")
    expect(records.run(), f"{S}:33:12: error[rrule]: maintenance[1].rrule: BYMONTH=13 is out of range in "
                          "'FREQ=MONTHLY;BYMONTH=3,6,9,13;BYMONTHDAY=-1'")


@pytest.mark.slow
def test_an_rrule_that_never_happens(records):
    records.edit(S, "BYMONTH=3,6,9,12;BYMONTHDAY=-1", "BYMONTH=2;BYMONTHDAY=30")
    expect(records.run(), f"{S}:31:1: error[rrule]: maintenance.quarterly.rrule: gives no date in the 10 "
                          "years from 2026-03-31")


def test_a_reference_to_a_broken_file_is_not_reported_again(records):
    records.write("assets/CHAIR-1.yaml", ASSET + "id: CHAIR-1\n")
    records.write(T, ticket())
    expect(records.run(), "assets/CHAIR-1.yaml:6:1: error[duplicate-key]: key 'id' appears twice in one mapping "
                          "(first on line 1); YAML would silently keep only the last one")


def test_more_parts_used_than_received_is_a_warning(records):
    records.write(T, ticket(REPORTED, event("12:30", "resolved", ", parts: [{part: BOLT-M8, qty: 250}]")))
    expect(records.run(), "parts/BOLT-M8.yaml:1:1: warning[stock]: the stock of BOLT-M8 falls to -50 pcs on "
                          "2026-03-14: more was used than received; record the delivery or a stock count, or "
                          "correct the quantity", code=0)


def test_using_exactly_the_stock_is_fine(records):
    records.write(T, ticket(REPORTED, event("12:30", "resolved", ", parts: [{part: BOLT-M8, qty: 200}]")))
    assert records.run().output.startswith("ok:")
