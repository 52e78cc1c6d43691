"""Unit tests of hooks/pre_gen_project.py and hooks/post_gen_project.py."""

import json
import re

import pytest
from conftest import REPO_ROOT, load_hook
from cookiecutter.environment import StrictEnvironment
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config

pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

CJK_RE = re.compile(r"[\u4e00-\u9fff]")

DEFAULT_ANSWERS = {
    "project_name": "WeCom Alert Resource",
    "project_slug": "wecom-alert-resource",
    "package_name": "wecom_alert_resource",
    "project_description": "Concourse resource type that sends build alerts to a WeCom group robot",
    "resource_type_name": "wecom-alert",
    "image_repository": "registry.example.com/concourse/wecom-alert-resource",
    "version": "0.1.0",
    "python_version": "3.13",
    "default_msgtype": "markdown",
    "language": "zh_CN",
    "timezone": "Asia/Shanghai",
    "include_publish_pipeline": True,
    "license": "MIT",
    "author_name": "Platform Team",
    "author_email": "platform@example.com",
}

HOSTILE_STRINGS = [
    "O'Connor",
    'say "hi"',
    'triple """ quotes',
    "triple ''' quotes",
    "trailing backslash \\",
    "back\\slash and \\' and \\\"",
    "two\nlines",
    "line\u2028separator",
    "企业微信告警",
    '"; import os; os.system("touch /nonexistent/marker") #',
    "'); import os #",
    "</script>{{ '{' }}",
]


def answers_with(**changes):
    """Return the default answers with some of them replaced."""
    answers = dict(DEFAULT_ANSWERS)
    answers.update(changes)
    return answers


def error_options(answers):
    """Return the set of option names that the pre-generation hook reports as invalid."""
    errors, _warnings = pre_gen.validate(answers)
    return {line.split(":")[1].strip() for line in errors}


def test_defaults_pass_validation():
    errors, warnings = pre_gen.validate(DEFAULT_ANSWERS)
    assert errors == []
    assert warnings == []


def test_defaults_match_cookiecutter_json():
    """The table above must follow cookiecutter.json, or the other tests check stale data."""
    context = json.loads((REPO_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    for option, value in DEFAULT_ANSWERS.items():
        if option in ("project_slug", "package_name"):
            continue
        expected = context[option][0] if isinstance(context[option], list) else context[option]
        assert value == expected, option


@pytest.mark.parametrize("slug", ["wecom-alert-resource", "a1", "x", "alert-2-wecom", "a" * 63])
def test_slug_valid(slug):
    pre_gen.validate_slug(slug)


@pytest.mark.parametrize(
    "slug", ["Bad-Slug", "1abc", "abc-", "-abc", "a--b", "a_b", "a b", "", "ärger", "a.b", "a" * 64]
)
def test_slug_invalid(slug):
    with pytest.raises(pre_gen.InvalidAnswer) as caught:
        pre_gen.validate_slug(slug)
    assert caught.value.option == "project_slug"


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        ("import", "keyword"),
        ("class", "keyword"),
        ("Abc", "lowercase"),
        ("a-b", "identifier"),
        ("1abc", "identifier"),
        ("名字", "identifier"),
        ("", "identifier"),
    ],
)
def test_package_name_invalid(package, problem):
    with pytest.raises(pre_gen.InvalidAnswer) as caught:
        pre_gen.validate_package_name(package)
    assert problem in caught.value.problem_en
    assert "project_slug" in caught.value.problem_en


def test_package_name_valid():
    pre_gen.validate_package_name("wecom_alert_resource")


@pytest.mark.parametrize("name", ["wecom-alert", "a", "a.b_c-d", "alert2"])
def test_resource_type_name_valid(name):
    pre_gen.validate_resource_type_name(name)


@pytest.mark.parametrize("name", ["Wecom", "1x", "a b", "", "-a", "a/b", "a:b", "企业微信"])
def test_resource_type_name_invalid(name):
    with pytest.raises(pre_gen.InvalidAnswer):
        pre_gen.validate_resource_type_name(name)


@pytest.mark.parametrize(
    "repository",
    [
        "registry.example.com/concourse/wecom-alert-resource",
        "localhost:5000/team/image",
        "image",
        "docker.io/library/python",
        "[::1]:5000/image",
        "a__b/c--d/e.f_g",
        "Registry.Example.com/team/image",
        "harbor.corp.example:8443/ci/alerts",
    ],
)
def test_image_repository_valid(repository):
    pre_gen.validate_image_repository(repository)


@pytest.mark.parametrize(
    ("repository", "problem"),
    [
        ("image:1.0", "tag"),
        ("registry.example.com:5000/team/image:latest", "tag"),
        ("image@sha256:" + "a" * 64, "digest"),
        ("registry.example.com/team/image:1.0@sha256:" + "a" * 64, "digest"),
        ("registry.example.com/Team/Image", "not a valid image repository"),
        ("registry.example.com//image", "not a valid image repository"),
        ("image/", "not a valid image repository"),
        ("https://registry.example.com/image", "not a valid image repository"),
        ("a b/c", "not a valid image repository"),
        ("team/-image", "not a valid image repository"),
        ("", "must not be empty"),
        ("r.example.com/" + "a" * 250, "more than 255"),
    ],
)
def test_image_repository_invalid(repository, problem):
    with pytest.raises(pre_gen.InvalidAnswer) as caught:
        pre_gen.validate_image_repository(repository)
    assert problem in caught.value.problem_en


def test_image_repository_tag_message_names_version():
    with pytest.raises(pre_gen.InvalidAnswer) as caught:
        pre_gen.validate_image_repository("registry.example.com/team/image:1.2.3")
    assert "':1.2.3'" in caught.value.problem_en
    assert "version" in caught.value.problem_en
    assert "version" in caught.value.problem_zh


@pytest.mark.parametrize("version", ["0.1.0", "v1", "1.0.0-rc.1", "latest", "2026_01", "a" * 128])
def test_version_valid(version):
    pre_gen.validate_version(version)


@pytest.mark.parametrize("version", ["-1", ".1", "1.0+build", "a" * 129, "", "1 0", "版本"])
def test_version_invalid(version):
    with pytest.raises(pre_gen.InvalidAnswer):
        pre_gen.validate_version(version)


@pytest.mark.parametrize("name", ["Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York"])
def test_timezone_valid(name):
    assert pre_gen.validate_timezone(name) is None


@pytest.mark.parametrize("name", ["Mars/Base", "../etc/passwd", "", "/etc/localtime", "Asia/Shanghai "])
def test_timezone_invalid(name):
    with pytest.raises(pre_gen.InvalidAnswer):
        pre_gen.validate_timezone(name)


@pytest.mark.parametrize("email", ["a@b.co", "o'connor@example.com", "team+alerts@corp.example"])
def test_email_valid(email):
    pre_gen.validate_email(email)


@pytest.mark.parametrize("email", ["no-at-sign", "a@b", "a b@c.de", "", "a@b.", "a@@b.co"])
def test_email_invalid(email):
    with pytest.raises(pre_gen.InvalidAnswer):
        pre_gen.validate_email(email)


@pytest.mark.parametrize("text", ["two\nlines", "tab\there", "", "   ", "nul\x00"])
def test_single_line_invalid(text):
    with pytest.raises(pre_gen.InvalidAnswer):
        pre_gen.validate_single_line("project_name", text, "WeCom Alert Resource")


@pytest.mark.parametrize("text", ["企业微信告警", 'O\'Connor "Q" \\ Team', "name  with  spaces"])
def test_single_line_valid(text):
    pre_gen.validate_single_line("project_name", text, "WeCom Alert Resource")


@pytest.mark.parametrize(
    ("option", "value"),
    [("python_version", "3.10"), ("default_msgtype", "news"), ("language", "fr"), ("license", "GPL")],
)
def test_choice_outside_list_invalid(option, value):
    assert error_options(answers_with(**{option: value})) == {option}


@pytest.mark.parametrize("value", ["n", "false", 0, None])
def test_boolean_must_be_bool(value):
    assert error_options(answers_with(include_publish_pipeline=value)) == {"include_publish_pipeline"}


def test_every_error_has_chinese_and_english_line():
    errors, _warnings = pre_gen.validate(answers_with(version="-bad", image_repository="image:1.0"))
    assert len(errors) == 4
    for chinese, english in zip(errors[::2], errors[1::2], strict=True):
        assert re.match(r"^ERROR: [a-z_]+: .+；例如 \S+$", chinese), chinese
        assert CJK_RE.search(chinese), chinese
        assert re.match(r"^ERROR: [a-z_]+: .+; for example \S+$", english), english
        assert "; 例如" not in chinese
        assert "；" not in english
        assert chinese.split(":")[1] == english.split(":")[1]


def test_all_invalid_answers_reported_together():
    answers = answers_with(project_slug="Bad Slug", timezone="Nowhere/City", author_email="nobody")
    assert error_options(answers) == {"project_slug", "timezone", "author_email"}


def test_main_reports_to_stderr_only(capsys):
    exit_code = pre_gen.main(answers_with(resource_type_name="Bad Name"))
    captured = capsys.readouterr()
    assert exit_code == 1
    assert captured.out == ""
    assert "ERROR: resource_type_name: " in captured.err
    assert "Traceback" not in captured.err


def test_main_accepts_defaults(capsys):
    assert pre_gen.main(DEFAULT_ANSWERS) == 0
    assert capsys.readouterr().err == ""


def render_hook(name, tmp_path, extra_context):
    """Render a hook exactly as cookiecutter does before running it, and import it."""
    context = generate_context(
        context_file=str(REPO_ROOT / "cookiecutter.json"),
        default_context={},
        extra_context=extra_context,
    )
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    source = (REPO_ROOT / "hooks" / f"{name}.py").read_text(encoding="utf-8")
    rendered = tmp_path / f"{name}_rendered.py"
    rendered.write_text(environment.from_string(source).render(**context), encoding="utf-8")
    return load_hook(name, rendered), context["cookiecutter"]


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
@pytest.mark.parametrize("option", ["project_name", "project_description", "author_name", "timezone"])
def test_rendered_pre_gen_hook_reads_answers_verbatim(tmp_path, option, hostile):
    """Every answer reaches the hook as data, character for character."""
    module, cookiecutter_context = render_hook("pre_gen_project", tmp_path, {option: hostile})
    answers = module.rendered_answers()
    assert answers[option] == cookiecutter_context[option]
    assert answers["package_name"] == cookiecutter_context["__package_name"]
    assert answers["include_publish_pipeline"] is True


@pytest.mark.parametrize("value", [False, True])
def test_rendered_post_gen_hook_reads_boolean(tmp_path, value):
    module, _context = render_hook("post_gen_project", tmp_path, {"include_publish_pipeline": value})
    assert module.rendered_answers() == {"include_publish_pipeline": value}


def make_project_tree(root):
    """Create a small project with a publish pipeline and some empty folders."""
    (root / "pipeline").mkdir()
    (root / "pipeline" / "publish.yml").write_text("jobs: []\n")
    (root / "pipeline" / "example.yml").write_text("jobs: []\n")
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "empty" / "nested" / "deeper").mkdir(parents=True)
    (root / "tests").mkdir()


def test_post_gen_removes_publish_pipeline_when_declined(tmp_path):
    make_project_tree(tmp_path)
    assert post_gen.main(tmp_path, {"include_publish_pipeline": False}) == 0
    assert not (tmp_path / "pipeline" / "publish.yml").exists()
    assert (tmp_path / "pipeline" / "example.yml").exists()


def test_post_gen_keeps_publish_pipeline_when_chosen(tmp_path):
    make_project_tree(tmp_path)
    assert post_gen.main(tmp_path, {"include_publish_pipeline": True}) == 0
    assert (tmp_path / "pipeline" / "publish.yml").exists()
    assert (tmp_path / "pipeline" / "example.yml").exists()


def test_post_gen_removes_empty_folders(tmp_path):
    make_project_tree(tmp_path)
    post_gen.main(tmp_path, {"include_publish_pipeline": True})
    assert not (tmp_path / "empty").exists()
    assert not (tmp_path / "tests").exists()
    assert (tmp_path / "src" / "pkg" / "__init__.py").exists()
    assert tmp_path.is_dir()


def test_post_gen_removes_folder_emptied_by_pruning(tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "publish.yml").write_text("jobs: []\n")
    (tmp_path / "README.md").write_text("x\n")
    post_gen.main(tmp_path, {"include_publish_pipeline": False})
    assert not (tmp_path / "pipeline").exists()
    assert (tmp_path / "README.md").exists()


def test_post_gen_tolerates_missing_optional_file(tmp_path):
    (tmp_path / "README.md").write_text("x\n")
    assert post_gen.main(tmp_path, {"include_publish_pipeline": False}) == 0
    assert (tmp_path / "README.md").exists()


def test_post_gen_paths_exist_in_template():
    """Every path the post-generation hook may delete must exist in the template."""
    from conftest import TEMPLATE_DIR

    for option_paths in post_gen.FILES_OF_BOOLEAN_OPTIONS.values():
        for relative in option_paths:
            assert (TEMPLATE_DIR / relative).is_file(), relative
