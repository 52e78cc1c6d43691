"""Validate the answers before cookiecutter writes any file.

Cookiecutter renders this file with Jinja2 and runs it with its own interpreter, so it
uses the standard library only. The answers enter Python as JSON data through `tojson`
inside raw single-quoted literals: `tojson` escapes every quote and newline, so no
answer can end the literal or add code. Unrendered, the file is still valid Python and
tests import its validation functions directly.

Each invalid answer prints two lines to stderr, Chinese first, in the form
`ERROR: <option>: <what is wrong>；例如 <example of a valid value>` and
`ERROR: <option>: <what is wrong>; for example <example of a valid value>`, and the hook exits 1,
which makes cookiecutter stop and delete the half-made project.
"""

import json
import keyword
import re
import sys
import zoneinfo

# Docker image reference grammar, as the distribution project's reference package
# defines it. A repository is an optional registry host[:port] followed by lowercase
# path components joined by "/". A path component is alphanumerics joined by ".",
# "_", "__" or runs of "-".
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY_RE = re.compile(rf"^(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*$")
_REPOSITORY_MAX_LENGTH = 255
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

_SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# The package name derived from the slug appears in import lines of the generated code,
# which must stay within the 120 columns that the generated ruff settings allow.
_SLUG_MAX_LENGTH = 63
# Concourse warns about pipeline identifiers outside this set: a lowercase letter first,
# then lowercase letters, digits, "-", "_" or ".".
_RESOURCE_TYPE_RE = re.compile(r"^[a-z][a-z0-9._-]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

CHOICES = {
    "python_version": ("3.13", "3.12", "3.11"),
    "default_msgtype": ("markdown", "text"),
    "language": ("zh_CN", "en"),
    "license": ("MIT", "Apache-2.0", "Proprietary"),
}


class InvalidAnswer(ValueError):
    """An answer that cannot produce a working project, with bilingual explanations."""

    def __init__(self, option, problem_zh, problem_en, example):
        super().__init__(f"{option}: {problem_en}")
        self.option = option
        self.problem_zh = problem_zh
        self.problem_en = problem_en
        self.example = example

    def lines(self):
        """Return the Chinese and the English error line."""
        return [
            f"ERROR: {self.option}: {self.problem_zh}；例如 {self.example}",
            f"ERROR: {self.option}: {self.problem_en}; for example {self.example}",
        ]


def validate_single_line(option, value, example):
    """Reject an empty text answer or one with a newline or another control character."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidAnswer(option, "不能为空", "must not be empty", example)
    if _CONTROL_RE.search(value):
        raise InvalidAnswer(
            option,
            "只能是一行文字，不能含换行符或其他控制字符",
            "must be a single line without newlines or other control characters",
            example,
        )


def validate_slug(value):
    """Check the project directory name: lowercase ASCII words joined by single hyphens."""
    example = "wecom-alert-resource"
    if not isinstance(value, str) or not _SLUG_RE.match(value):
        raise InvalidAnswer(
            "project_slug",
            f"{value!r} 无效，只能用小写字母、数字和单个连字符，并以字母开头",
            f"{value!r} is invalid; use lowercase letters, digits and single hyphens, starting with a letter",
            example,
        )
    if len(value) > _SLUG_MAX_LENGTH:
        raise InvalidAnswer(
            "project_slug",
            f"长度为 {len(value)}，超过 {_SLUG_MAX_LENGTH} 个字符，请缩短 project_name 或直接填写 project_slug",
            f"is {len(value)} characters long, more than {_SLUG_MAX_LENGTH}; "
            "shorten project_name or set project_slug directly",
            example,
        )


def validate_package_name(value):
    """Check the Python package name derived from the slug."""
    example = "wecom_alert_resource"
    if not isinstance(value, str) or not value.isascii() or not value.isidentifier():
        problem_zh = f"由 project_slug 得出的包名 {value!r} 不是合法的 Python 标识符，请修改 project_slug"
        problem_en = f"{value!r}, derived from project_slug, is not a valid Python identifier; change project_slug"
    elif keyword.iskeyword(value):
        problem_zh = f"{value!r} 是 Python 关键字，请修改 project_slug"
        problem_en = f"{value!r} is a Python keyword; change project_slug"
    elif value != value.lower():
        problem_zh = f"{value!r} 必须全部小写，请修改 project_slug"
        problem_en = f"{value!r} must be lowercase; change project_slug"
    else:
        return
    raise InvalidAnswer("__package_name", problem_zh, problem_en, example)


def validate_resource_type_name(value):
    """Check the name pipelines give the resource type (a Concourse identifier)."""
    example = "wecom-alert"
    if not isinstance(value, str) or not _RESOURCE_TYPE_RE.match(value):
        raise InvalidAnswer(
            "resource_type_name",
            f"{value!r} 无效，须以小写字母开头，只含小写字母、数字、'-'、'_'、'.'",
            f"{value!r} is invalid; start with a lowercase letter and use only lowercase letters, "
            "digits, '-', '_' or '.'",
            example,
        )


def validate_image_repository(value):
    """Check the image repository: a Docker image reference without tag or digest."""
    option = "image_repository"
    example = "registry.example.com/concourse/wecom-alert-resource"
    if not isinstance(value, str) or not value:
        raise InvalidAnswer(option, "不能为空", "must not be empty", example)

    if "@" in value:
        digest = value[value.index("@") :]
        raise InvalidAnswer(
            option,
            f"不能带摘要 {digest!r}，这里只填仓库地址",
            f"must not contain a digest ({digest!r}); give the repository only",
            example,
        )

    # A colon in the last path component starts a tag. A colon before the first "/"
    # belongs to the registry port instead.
    last_component = value.rsplit("/", 1)[-1]
    if ":" in last_component:
        tag = last_component[last_component.index(":") :]
        raise InvalidAnswer(
            option,
            f"不能带标签 {tag!r}，标签由 version 决定",
            f"must not contain a tag ({tag!r}); the tag comes from the version option",
            example,
        )

    if len(value) > _REPOSITORY_MAX_LENGTH:
        raise InvalidAnswer(
            option,
            f"长度为 {len(value)}，超过 {_REPOSITORY_MAX_LENGTH} 个字符",
            f"is {len(value)} characters long, more than {_REPOSITORY_MAX_LENGTH}",
            example,
        )

    if not _REPOSITORY_RE.match(value):
        raise InvalidAnswer(
            option,
            f"{value!r} 不是合法的镜像仓库名，路径部分只能用小写字母、数字及 '.'、'_'、'-' 分隔",
            f"{value!r} is not a valid image repository; path components take lowercase letters "
            "and digits separated by '.', '_' or '-'",
            example,
        )


def validate_version(value):
    """Check the version, which also becomes the image tag."""
    if not isinstance(value, str) or not _TAG_RE.match(value):
        raise InvalidAnswer(
            "version",
            f"{value!r} 不能用作镜像标签，只能含字母、数字、'_'、'.'、'-'，不以 '.' 或 '-' 开头，最长 128 个字符",
            f"{value!r} is not a valid image tag; use letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-', at most 128 characters",
            "0.1.0",
        )


def validate_timezone(value):
    """Check the time zone against the IANA database that Python's zoneinfo reads.

    Return a warning instead of raising when this interpreter has no time zone database
    at all (for example on Windows without the tzdata package), because then no name
    could pass.
    """
    example = "Asia/Shanghai"
    if not isinstance(value, str) or not value:
        raise InvalidAnswer("timezone", "不能为空", "must not be empty", example)
    if not zoneinfo.available_timezones():
        return "WARNING: timezone: 本机没有时区数据库，跳过检查 / no time zone database here, check skipped"
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidAnswer(
            "timezone",
            f"{value!r} 不是 IANA 时区名",
            f"{value!r} is not an IANA time zone name",
            example,
        ) from None
    return None


def validate_email(value):
    """Check the contact email loosely: one '@' and a dot in the domain, no spaces."""
    if not isinstance(value, str) or not _EMAIL_RE.match(value):
        raise InvalidAnswer(
            "author_email",
            f"{value!r} 不像邮箱地址",
            f"{value!r} does not look like an email address",
            "platform@example.com",
        )


def validate_choice(option, value):
    """Check a choice answer, which may come from a config file instead of the prompt."""
    allowed = CHOICES[option]
    if value not in allowed:
        names = ", ".join(allowed)
        raise InvalidAnswer(option, f"{value!r} 不在可选值 {names} 中", f"{value!r} is not one of {names}", allowed[0])


def validate_boolean(option, value):
    """Check a yes/no answer, which cookiecutter turns into a JSON boolean."""
    if not isinstance(value, bool):
        raise InvalidAnswer(option, f"{value!r} 不是布尔值", f"{value!r} is not a boolean", "true")


def validate(answers):
    """Validate every answer; return (errors, warnings) as lists of output lines."""
    checks = [
        lambda: validate_single_line("project_name", answers["project_name"], "WeCom Alert Resource"),
        lambda: validate_slug(answers["project_slug"]),
        lambda: validate_package_name(answers["package_name"]),
        lambda: validate_single_line("project_description", answers["project_description"], "Sends build alerts"),
        lambda: validate_resource_type_name(answers["resource_type_name"]),
        lambda: validate_image_repository(answers["image_repository"]),
        lambda: validate_version(answers["version"]),
        lambda: validate_choice("python_version", answers["python_version"]),
        lambda: validate_choice("default_msgtype", answers["default_msgtype"]),
        lambda: validate_choice("language", answers["language"]),
        lambda: validate_timezone(answers["timezone"]),
        lambda: validate_boolean("include_publish_pipeline", answers["include_publish_pipeline"]),
        lambda: validate_choice("license", answers["license"]),
        lambda: validate_single_line("author_name", answers["author_name"], "Platform Team"),
        lambda: validate_email(answers["author_email"]),
    ]
    errors = []
    warnings = []
    for check in checks:
        try:
            warning = check()
        except InvalidAnswer as error:
            errors.extend(error.lines())
        else:
            if warning:
                warnings.append(warning)
    return errors, warnings


def rendered_answers():
    """Return the answers that cookiecutter rendered into this file."""
    # The literals must stay single-quoted: tojson escapes ' but not the " that ends
    # every JSON string, so a double-quoted literal would end early.
    # fmt: off
    answers = {
        "project_name": json.loads(r'{{ cookiecutter.project_name | tojson }}'),
        "project_slug": json.loads(r'{{ cookiecutter.project_slug | tojson }}'),
        "package_name": json.loads(r'{{ cookiecutter.__package_name | tojson }}'),
        "project_description": json.loads(r'{{ cookiecutter.project_description | tojson }}'),
        "resource_type_name": json.loads(r'{{ cookiecutter.resource_type_name | tojson }}'),
        "image_repository": json.loads(r'{{ cookiecutter.image_repository | tojson }}'),
        "version": json.loads(r'{{ cookiecutter.version | tojson }}'),
        "python_version": json.loads(r'{{ cookiecutter.python_version | tojson }}'),
        "default_msgtype": json.loads(r'{{ cookiecutter.default_msgtype | tojson }}'),
        "language": json.loads(r'{{ cookiecutter.language | tojson }}'),
        "timezone": json.loads(r'{{ cookiecutter.timezone | tojson }}'),
        "include_publish_pipeline": json.loads(r'{{ cookiecutter.include_publish_pipeline | tojson }}'),
        "license": json.loads(r'{{ cookiecutter.license | tojson }}'),
        "author_name": json.loads(r'{{ cookiecutter.author_name | tojson }}'),
        "author_email": json.loads(r'{{ cookiecutter.author_email | tojson }}'),
    }
    # fmt: on
    return answers


def main(answers=None):
    """Validate the answers, print problems to stderr and return the exit code."""
    if answers is None:
        answers = rendered_answers()
    errors, warnings = validate(answers)
    for line in warnings + errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
