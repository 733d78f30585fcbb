"""The `serve:` settings and the `qr` channel: read, checked and defaulted by the field spec."""

from __future__ import annotations

from conftest import expect, run, ticket

from aftersales.core.durations import Duration
from aftersales.store.reading import read_settings

SERVE = """\
serve:
  base_url: https://service.example.com/school/
  hotline: 400-820-1234
  language: en
  merge_within: 5m
  limits: {per_address: 3, per_asset: 7}
"""


def test_the_serve_section_is_read_with_its_values(records):
    records.write("aftersales.yaml", (records.root / "aftersales.yaml").read_text() + SERVE)
    expect(records.run(), code=0)
    serve = read_settings(records.root).serve
    assert (serve.base_url, serve.hotline, serve.language) == (
        "https://service.example.com/school", "400-820-1234", "en")
    assert (serve.merge_within, serve.per_address, serve.per_asset) == (Duration(5, "m"), 3, 7)


def test_without_a_serve_section_the_defaults_apply(records):
    serve = read_settings(records.root).serve
    assert (serve.base_url, serve.hotline, serve.language) == ("", "", "zh")
    assert (serve.merge_within, serve.per_address, serve.per_asset) == (Duration(10, "m"), 30, 20)


def line_after(records) -> int:
    """The number of the first line added after the settings the tests start from."""
    return len((records.root / "aftersales.yaml").read_text(encoding="utf-8").splitlines()) + 1


def test_bad_serve_values_are_located_errors(records):
    serve = line_after(records)
    records.write("aftersales.yaml", (records.root / "aftersales.yaml").read_text()
                  + "serve:\n  base_url: https://x.example.com/?k=1\n  language: fr\n  limits: {per_asset: 0}\n")
    expect(records.run(),
           f"aftersales.yaml:{serve + 1}:13: error[format]: serve.base_url: 'https://x.example.com/?k=1' is not a web "
           "address like https://service.example.com (no query or fragment)",
           f"aftersales.yaml:{serve + 2}:13: error[value]: serve.language: 'fr' is not one of zh, en",
           f"aftersales.yaml:{serve + 3}:23: error[range]: serve.limits.per_asset: 0 is out of range; expected a whole "
           "number from 1")


def test_plain_http_is_a_warning_except_on_this_machine(records):
    settings = (records.root / "aftersales.yaml").read_text()
    serve = line_after(records)
    records.write("aftersales.yaml", settings + "serve:\n  base_url: http://service.example.com\n")
    expect(records.run(),
           f"aftersales.yaml:{serve}:1: warning[insecure-url]: serve.base_url: http://service.example.com is plain "
           "http: reports and sign-ins would cross the network unencrypted; serve the app behind a TLS proxy "
           "and write https://", code=0)
    records.write("aftersales.yaml", settings + "serve:\n  base_url: http://127.0.0.1:8080\n")
    expect(records.run(), code=0)


def test_a_ticket_from_a_scanned_label_has_channel_qr(records):
    records.write("tickets/2026/T-1.yaml", ticket(extra="channel: qr\n"))
    expect(records.run(), code=0)
    records.edit("tickets/2026/T-1.yaml", "channel: qr", "channel: qrcode")
    assert records.run().stdout.splitlines()[0] == (
        "tickets/2026/T-1.yaml:7:10: error[value]: channel: 'qrcode' is not one of phone, online, wechat, "
        "email, onsite, inspection, qr")


def test_the_new_settings_pass_the_init_defaults(tmp_path):
    result = run("init", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert "# serve:" in (tmp_path / "r" / "aftersales.yaml").read_text(encoding="utf-8")


def test_the_commented_serve_example_in_the_default_settings_validates(tmp_path):
    assert run("init", str(tmp_path / "new")).exit_code == 0
    settings = tmp_path / "new" / "aftersales.yaml"
    text = settings.read_text("utf-8")
    example = text[text.index("\n# serve:\n"):]
    settings.write_text(text.replace(example, example.replace("\n# ", "\n")), "utf-8")
    assert read_settings(tmp_path / "new").serve.base_url == "https://service.example.com"
    result = run("validate", "--records", str(tmp_path / "new"))
    assert (result.exit_code, result.stdout) == (0, "ok: 0 assets, 0 tickets, 0 inspections, 0 parts, no problems\n")
