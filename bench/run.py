#!/usr/bin/env python3
"""Benchmark the generated resource's scripts, the template render and the image.

Usage:
    python3 bench/run.py [--quick] [--output FILE] [--repeat N] [--python PATH] [--skip-docker]

Each script runs as Concourse runs it: as an executable, the payload on stdin, the
working directory as $1 and BUILD_* variables in the environment. `out` sends one
markdown alert to the project's fake WeCom robot on 127.0.0.1, started here. Every
timing is a median of interleaved runs, next to the median of a floor command run
by the same interpreter:

    check, in          against  python -I -c pass
    out                against  python -c "import requests"
    out in a container against  docker run --rm IMAGE true

The interpreter is .venv/bin/python of this repository when it exists, else the one
running this script. The Docker figures need `docker info` to succeed; the build
uses --build-arg BASE_IMAGE=$BASE_IMAGE when that variable is set. The script needs
Python 3.10+ and the standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import dockerbench
from measure import Command, CommandFailed, importtime_profile, measure_pair
from project import REPO_ROOT, can_import, choose_python, load_fake_robot, prepare_subject
from report import ImportSummary, Report, SizeFigure, TimedFigure, format_report

CHECK_IN_GOAL = 1.3
OUT_GOAL = 1.5
IMAGE_GROWTH_GOAL_BYTES = 5_000_000
CONTAINER_WORKDIR = "/tmp/build/put"  # noqa: S108 - the path Concourse uses inside the container.
RESOURCE_DIR = "/opt/resource"

# Metadata of a pipeline build as Concourse sets it for put steps.
BUILD_ENV = {
    "BUILD_ID": "1234",
    "BUILD_NAME": "42",
    "BUILD_TEAM_NAME": "main",
    "BUILD_PIPELINE_NAME": "shop-backend",
    "BUILD_JOB_NAME": "unit-tests",
    "ATC_EXTERNAL_URL": "https://ci.example.com",
}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark the generated resource against its floors.")
    parser.add_argument("--quick", action="store_true", help="few repetitions, to show that it works (for CI)")
    parser.add_argument("--output", type=Path, help="also write the Markdown report to this file")
    parser.add_argument("--repeat", type=int, help="timed runs of each script and floor (default 20, --quick 3)")
    parser.add_argument("--python", help="interpreter for every measured command (default .venv, else this one)")
    parser.add_argument("--skip-docker", action="store_true", help="leave out the image size and container runs")
    arguments = parser.parse_args(argv)
    if arguments.repeat is not None and arguments.repeat < 1:
        parser.error("--repeat must be at least 1")
    return arguments


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def python_version(python: str) -> str:
    completed = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True)
    return completed.stdout.decode("utf-8").strip() or "unknown"


def script_environment(python: str) -> dict[str, str]:
    """Return a Concourse-like environment with ``python``'s directory first on PATH."""
    environment = {
        "PATH": os.pathsep.join([os.path.dirname(python), os.environ.get("PATH", "")]),
        "LANG": "C.UTF-8",
        # Requests to the fake robot must not go through a proxy from the host.
        "NO_PROXY": "127.0.0.1,localhost",
    }
    environment.update(BUILD_ENV)
    return environment


def delivery_check(robot):
    """Return a verify callback that requires exactly one new markdown message per run."""
    state = {"count": len(robot.delivered)}

    def verify(completed: subprocess.CompletedProcess) -> None:
        delivered = len(robot.delivered)
        if delivered != state["count"] + 1:
            raise CommandFailed(f"out delivered {delivered - state['count']} messages instead of 1")
        state["count"] = delivered
        if robot.delivered[-1].get("msgtype") != "markdown":
            raise CommandFailed(f"out sent msgtype {robot.delivered[-1].get('msgtype')!r} instead of markdown")

    return verify


class Benchmark:
    """One benchmark run: the subject project, the fake robot and the collected figures."""

    def __init__(self, arguments: argparse.Namespace, scratch: Path):
        self.arguments = arguments
        self.scratch = scratch
        self.python = choose_python(arguments.python)
        self.repetitions = arguments.repeat or (3 if arguments.quick else 20)
        self.render_repetitions = 1 if arguments.quick else 5
        self.docker_repetitions = 2 if arguments.quick else 10
        self.subject = prepare_subject(self.python, scratch)
        self.workdir = scratch / "put"
        self.workdir.mkdir()
        self.environment = script_environment(self.python)
        self.report = Report(header=[], judged=not arguments.quick)
        # Other processes on the machine widen the spread, so the report states the load.
        self.load_average = "unknown"
        if hasattr(os, "getloadavg"):
            self.load_average = " / ".join(f"{load:.2f}" for load in os.getloadavg())

    def script(
        self, name: str, payload: dict, with_workdir: bool, prefix: list[str] | None = None, project: Path | None = None
    ) -> Command:
        argv = [*(prefix or []), str((project or self.subject.path) / "assets" / name)]
        if with_workdir:
            argv.append(str(self.workdir))
        return Command(argv, json.dumps(payload).encode("utf-8"), self.environment)

    def payloads(self, source: dict) -> dict[str, dict]:
        version = {"time": "2026-12-04T00:00:00Z"}
        return {
            "check": {"source": source, "version": version},
            "in": {"source": source, "params": {}, "version": version},
            "out": {"source": {**source, "msgtype": "markdown"}, "params": {"status": "failed"}},
        }

    def run(self) -> Report:
        robot_module = load_fake_robot(self.subject.path)
        key = str(uuid.uuid4())
        server = robot_module.RobotServer(robot_module.FakeRobot(valid_keys={key}))
        robot = server.start()
        try:
            source = {"webhook_url": robot.url(key), "allow_http": True}
            payloads = self.payloads(source)
            self.measure_scripts(payloads, robot)
            self.measure_render()
            self.measure_docker(payloads, robot)
            self.profile_imports(payloads, robot)
        finally:
            server.stop()
        self.report.header = self.header()
        return self.report

    def measure_scripts(self, payloads: dict[str, dict], robot) -> None:
        bare_start = Command([self.python, "-I", "-c", "pass"], env=self.environment)
        for name in ("check", "in"):
            log(f"timing {name} against `python -I -c pass`, {self.repetitions} runs each")
            command = self.script(name, payloads[name], with_workdir=name == "in")
            sample, floor = measure_pair(command, bare_start, self.repetitions)
            self.report.timed.append(TimedFigure(name, sample, "`python -I -c pass`", floor, CHECK_IN_GOAL))

        # The minimum start-up cost of any step that parses its stdin with the json module.
        log(f'timing `python -I -c "import json"` against `python -I -c pass`, {self.repetitions} runs each')
        import_json = Command([self.python, "-I", "-c", "import json"], env=self.environment)
        sample, floor = measure_pair(import_json, bare_start, self.repetitions)
        self.report.timed.append(TimedFigure('`python -I -c "import json"`', sample, "`python -I -c pass`", floor))

        if not can_import(self.python, "requests"):
            self.report.skipped.append(f"out: {self.python} cannot import requests; run `python3 scripts/dev.py test`")
            return
        log(f'timing out against `python -c "import requests"`, {self.repetitions} runs each')
        command = self.script("out", payloads["out"], with_workdir=True)
        command.verify = delivery_check(robot)
        import_requests = Command([self.python, "-c", "import requests"], env=self.environment)
        sample, floor = measure_pair(command, import_requests, self.repetitions)
        self.report.timed.append(TimedFigure("out", sample, '`python -c "import requests"`', floor, OUT_GOAL))
        self.measure_without_bytecode(payloads, robot, bare_start, import_requests)

    def measure_without_bytecode(self, payloads: dict[str, dict], robot, bare_start, import_requests) -> None:
        """Time check and out as the image runs them: no .pyc of the package, none written.

        The Dockerfile sets PYTHONDONTWRITEBYTECODE=1 and .dockerignore leaves out
        __pycache__, so every run in the image compiles the package's modules again.
        The dependencies in the image's venv keep the .pyc files that pip wrote.
        """
        project = self.scratch / "project-without-bytecode"
        shutil.copytree(self.subject.path, project, ignore=shutil.ignore_patterns("__pycache__"))
        for name, floor_name, floor in (
            ("check", "`python -I -c pass`", bare_start),
            ("out", '`python -c "import requests"`', import_requests),
        ):
            log(f"timing {name} without the package's bytecode, {self.repetitions} runs each")
            command = self.script(name, payloads[name], with_workdir=name == "out", project=project)
            command.env = {**self.environment, "PYTHONDONTWRITEBYTECODE": "1"}
            if name == "out":
                command.verify = delivery_check(robot)
            sample, floor_sample = measure_pair(command, floor, self.repetitions)
            figure = TimedFigure(f"{name}, package not byte-compiled", sample, floor_name, floor_sample)
            self.report.timed.append(figure)

    def measure_render(self) -> None:
        if not can_import(self.python, "cookiecutter"):
            self.report.skipped.append(f"render: {self.python} cannot import cookiecutter")
            return
        log(f"timing `cookiecutter --no-input`, {self.render_repetitions} runs")
        output_dir = self.scratch / "render-timing"
        # --overwrite-if-exists lets every run render into the same directory.
        argv = [self.python, "-m", "cookiecutter", "--no-input", "--default-config", "--overwrite-if-exists"]
        command = Command([*argv, "--output-dir", str(output_dir), str(REPO_ROOT)])
        sample, _ = measure_pair(command, None, self.render_repetitions)
        self.report.timed.append(TimedFigure("render `cookiecutter --no-input`", sample))

    def measure_docker(self, payloads: dict[str, dict], robot) -> None:
        if self.arguments.skip_docker:
            self.report.skipped.append("Docker: --skip-docker was given")
            return
        reason = dockerbench.unavailable_reason()
        if reason is not None:
            self.report.skipped.append(f"Docker: {reason}")
            return
        log(f"building {self.subject.slug}{dockerbench.IMAGE_TAG_SUFFIX}")
        try:
            image = dockerbench.build_image(self.subject.path, self.subject.slug)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            self.report.skipped.append(f"Docker: {error}")
            return
        self.report.size = SizeFigure(
            image.tag,
            image.base,
            image.size,
            image.base_size,
            IMAGE_GROWTH_GOAL_BYTES,
            image.build_seconds,
            dockerbench.layer_sizes(image.tag),
        )

        cli = dockerbench.docker_cli()
        floor = Command([cli, "run", "--rm", image.tag, "true"])
        run_prefix = [cli, "run", "--interactive", "--rm", "--network", "host"]
        run_prefix += ["--volume", f"{self.workdir}:{CONTAINER_WORKDIR}"]
        for name, value in BUILD_ENV.items():
            run_prefix += ["--env", f"{name}={value}"]
        for name in ("check", "out"):
            argv = [*run_prefix, image.tag, f"{RESOURCE_DIR}/{name}"]
            if name == "out":
                argv.append(CONTAINER_WORKDIR)
            command = Command(argv, json.dumps(payloads[name]).encode("utf-8"))
            if name == "out":
                command.verify = delivery_check(robot)
            log(f"timing {name} in a container against `docker run --rm IMAGE true`, {self.docker_repetitions} runs")
            sample, floor_sample = measure_pair(command, floor, self.docker_repetitions)
            self.report.timed.append(
                TimedFigure(f"{name} in a container", sample, "`docker run --rm IMAGE true`", floor_sample)
            )

    def profile_imports(self, payloads: dict[str, dict], robot) -> None:
        log("profiling imports with -X importtime")
        for name in ("check", "in", "out"):
            if name == "out" and not can_import(self.python, "requests"):
                continue
            command = self.script(name, payloads[name], name != "check", prefix=[self.python, "-X", "importtime"])
            if name == "out":
                command.verify = delivery_check(robot)
            self.report.imports.append(ImportSummary(name, importtime_profile(command)))

    def header(self) -> list[tuple[str, str]]:
        command = " ".join(["python3", "bench/run.py", *sys.argv[1:]])
        base_image = os.environ.get("BASE_IMAGE")
        return [
            ("Date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
            ("Command", f"`{command}`" + (f" with BASE_IMAGE={base_image}" if base_image else "")),
            ("CPU", f"{cpu_model()}, {os.cpu_count()} logical cores"),
            ("System", f"{platform.system()} {platform.release()}, load average {self.load_average} at the start"),
            ("Python", f"{python_version(self.python)} (`{self.python}`)"),
            ("Project benchmarked", self.subject.origin),
            (
                "Runs",
                f"{self.repetitions} per script and floor, {self.render_repetitions} renders,"
                f" {self.docker_repetitions} per container command, after one untimed warm-up run each",
            ),
        ]


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        try:
            report = Benchmark(arguments, Path(scratch)).run()
        except (CommandFailed, RuntimeError, subprocess.TimeoutExpired) as error:
            print(f"bench: failed: {error}", file=sys.stderr)
            return 1

    text = format_report(report)
    sys.stdout.write(text)
    if arguments.output:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(text, encoding="utf-8")
        log(f"wrote {arguments.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
