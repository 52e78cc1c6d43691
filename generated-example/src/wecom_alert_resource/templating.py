"""Rendering of alert templates: the bundled defaults and the user's own.

Templates render in Jinja2's sandbox with undefined names as errors. The sandbox
stops a template from reaching Python internals such as ``__class__``, and a
misspelt variable fails the step instead of leaving a blank in the alert. Content
from ``params.content`` and ``params.content_file`` enters only as the value of
``content``, so braces in it are never rendered.
"""

import os

import jinja2
import jinja2.sandbox

from .errors import ResourceError
from .i18n import LANGUAGE, tr

TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "alert_templates", LANGUAGE)


def _environment(loader: jinja2.BaseLoader | None = None) -> jinja2.sandbox.SandboxedEnvironment:
    return jinja2.sandbox.SandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=False,
    )


def render_default(template_name: str, context: dict) -> str:
    """Render a bundled alert template from ``alert_templates/<language>/``."""
    environment = _environment(jinja2.FileSystemLoader(TEMPLATE_DIR))
    try:
        return environment.get_template(template_name).render(context).strip()
    except jinja2.TemplateError as error:
        raise ResourceError(tr("template_failed", name=template_name, error=_one_line(error))) from error


def render_user_template(source: str, field: str, context: dict) -> str:
    """Render the template text ``source`` given in ``field`` with ``context``.

    Every failure becomes a one-line :class:`ResourceError` that names ``field``: a
    syntax error with its line, an unknown variable with the variables available,
    and an attribute the sandbox blocks.
    """
    environment = _environment()
    try:
        template = environment.from_string(source)
    except jinja2.TemplateSyntaxError as error:
        raise ResourceError(tr("template_syntax", field=field, line=error.lineno, error=_one_line(error))) from None

    try:
        return template.render(context).strip()
    except jinja2.sandbox.SecurityError as error:
        raise ResourceError(tr("template_unsafe", field=field, error=_one_line(error))) from None
    except jinja2.UndefinedError as error:
        names = ", ".join(sorted(context))
        raise ResourceError(tr("template_undefined", field=field, error=_one_line(error), names=names)) from None
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as error:
        # Filters raise plain Python errors, for example int("x") or a division by zero.
        raise ResourceError(tr("template_error", field=field, error=_one_line(error))) from None


def _one_line(error: Exception) -> str:
    # The texts around the error add their own full stop.
    return " ".join(str(error).split()).rstrip(".")
