"""Wall-clock timing of commands against a floor command, and import-time summaries.

Each measured command runs interleaved with its floor command, alternating which
of the two goes first, so that slow drift of the machine (other load, CPU clock)
affects both sides alike.
"""

import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

COMMAND_TIMEOUT_SECONDS = 300


@dataclass
class Command:
    """A command line, its stdin and environment, and an optional check of its result."""

    argv: list[str]
    stdin: bytes = b""
    env: dict[str, str] | None = None
    cwd: str | None = None
    # Called after each run with the completed process; raises CommandFailed if the run was wrong.
    verify: Callable[[subprocess.CompletedProcess], None] | None = None


class CommandFailed(Exception):
    """A measured command exited non-zero or produced the wrong result."""


@dataclass
class Sample:
    """Wall times of repeated runs of one command, in seconds."""

    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def minimum(self) -> float:
        return min(self.seconds)

    @property
    def maximum(self) -> float:
        return max(self.seconds)

    def interquartile_range(self) -> tuple[float, float] | None:
        """Return the first and third quartiles, or None for fewer than 4 runs."""
        if len(self.seconds) < 4:
            return None
        quartiles = statistics.quantiles(self.seconds, n=4)
        return quartiles[0], quartiles[2]


def run_once(command: Command) -> float:
    """Run ``command`` once and return its wall time in seconds; raise CommandFailed on failure."""
    started = time.perf_counter()
    completed = subprocess.run(
        command.argv,
        input=command.stdin,
        capture_output=True,
        env=command.env,
        cwd=command.cwd,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        stderr_tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise CommandFailed(
            f"`{' '.join(command.argv)}` exited with {completed.returncode}: " + " | ".join(stderr_tail)
        )
    if command.verify is not None:
        command.verify(completed)
    return elapsed


def measure_pair(measured: Command, floor: Command | None, repetitions: int) -> tuple[Sample, Sample | None]:
    """Time ``measured`` and ``floor`` ``repetitions`` times each, interleaved.

    One untimed run of each comes first, so that both start with warm file and
    bytecode caches. Even rounds run the measured command first, odd rounds the floor.
    """
    run_once(measured)
    if floor is not None:
        run_once(floor)

    measured_sample, floor_sample = Sample(), Sample() if floor is not None else None
    for round_number in range(repetitions):
        order = [(measured, measured_sample), (floor, floor_sample)]
        if round_number % 2 == 1:
            order.reverse()
        for command, sample in order:
            if command is not None:
                sample.seconds.append(run_once(command))
    return measured_sample, floor_sample


@dataclass
class ImportRecord:
    """One line of ``python -X importtime`` output, times in microseconds."""

    name: str
    depth: int
    self_us: int
    cumulative_us: int


def parse_importtime(stderr: str) -> list[ImportRecord]:
    """Parse the ``import time:`` lines of ``-X importtime`` output; other stderr lines are skipped.

    The package name is indented by two spaces per nesting level, which becomes ``depth``.
    """
    records = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        fields = line[len("import time:") :].split("|")
        if len(fields) != 3 or not fields[0].strip().isdigit():
            continue  # The header line: "self [us] | cumulative | imported package".
        name_field = fields[2]
        stripped = name_field.lstrip(" ")
        depth = (len(name_field) - len(stripped) - 1) // 2
        records.append(ImportRecord(stripped, depth, int(fields[0]), int(fields[1])))
    return records


def importtime_profile(command: Command) -> list[ImportRecord]:
    """Run ``command`` (whose argv already contains ``-X importtime``) once and parse its imports."""
    completed = subprocess.run(
        command.argv,
        input=command.stdin,
        capture_output=True,
        env=command.env,
        cwd=command.cwd,
        timeout=COMMAND_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0:
        raise CommandFailed(f"`{' '.join(command.argv)}` exited with {completed.returncode}")
    if command.verify is not None:
        command.verify(completed)
    return parse_importtime(completed.stderr.decode("utf-8", "replace"))
