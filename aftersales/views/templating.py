"""The Jinja environment of the reports: the records folder's templates first, then the built-in ones.

A user template may replace a built-in one by using its name, and may extend
it as `builtin/<name>` (for example to put the company letterhead on the
built-in report). HTML templates escape every value unless told otherwise.

Templates in a records folder come with the records, through git, and are run
by whoever renders a report (cron on a server): they render in Jinja's
immutable sandbox, which refuses Python internals (`__class__`, `__globals__`,
`mro`...) and changing the values they are given, so a template can lay out
numbers but never run code.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from aftersales.core.errors import AftersalesError

if TYPE_CHECKING:
    import jinja2

# In a source checkout templates/ sits beside the package: aftersales/views/templating.py -> ../../../templates
SOURCE_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def builtin_folder() -> str:
    """The built-in templates: inside the installed package, or `templates/` of a source checkout."""
    try:
        return str(resources.files("aftersales.templates"))
    except ModuleNotFoundError:  # imported from a source tree, where templates/ sits beside the package
        return str(SOURCE_TEMPLATES)


def builtin_text(name: str) -> str:
    """A built-in file of the templates folder (e.g. the shared CSS), as text."""
    return (Path(builtin_folder()) / name).read_text(encoding="utf-8")


def css_string(value: Any) -> Markup:
    """`value` as a quoted CSS string, safe inside a <style> element (quotes, backslashes, `<` and
    line breaks escaped as CSS escapes)."""
    text = "".join(c if c.isalnum() or c in " .,:;-_()/·" or ord(c) > 0x7F else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{text}"')


def environment(records_root: Path | None = None) -> jinja2.Environment:
    """The sandboxed environment: the records' templates/ first, then the built-in ones (also as
    `builtin/<name>`). Jinja is imported here, when a document is rendered, not when a command starts."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    builtin = jinja2.FileSystemLoader(builtin_folder())
    loaders: list[jinja2.BaseLoader] = []
    if records_root is not None and (records_root / "templates").is_dir():
        loaders.append(jinja2.FileSystemLoader(str(records_root / "templates"), followlinks=False))
    loaders += [builtin, jinja2.PrefixLoader({"builtin": builtin})]
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "html.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["css_string"] = css_string
    return env


def render(records_root: Path | None, name: str, context: Mapping[str, Any]) -> str:
    """Render template `name` with `context`; template mistakes become clear errors."""
    import jinja2
    from jinja2.sandbox import SecurityError

    env = environment(records_root)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise AftersalesError(f"template {exc.name!r} not found (looked in the records' templates/ "
                              "and the built-in ones)") from None
    except SecurityError as exc:
        raise AftersalesError(f"template {name} was refused: {exc} (templates lay out the numbers they "
                              "are given; they cannot reach Python's internals)") from None
    except jinja2.TemplateSyntaxError as exc:
        raise AftersalesError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}") from None
    except jinja2.TemplateError as exc:  # undefined names, runtime errors in a user's template
        raise AftersalesError(f"template {name}: {exc.message or exc}") from None
