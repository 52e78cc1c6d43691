"""Markdown report of the benchmark: machine, figures against goals, image size, imports."""

from dataclasses import dataclass, field

from measure import ImportRecord, Sample

MEGABYTE = 1_000_000  # Docker's CLI also prints sizes in units of 10^6 bytes.
IMPORT_ROWS = 8


@dataclass
class TimedFigure:
    """A measured command against its floor, with the maximum ratio it should reach."""

    name: str
    sample: Sample
    floor_name: str | None = None
    floor: Sample | None = None
    goal_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.floor is None:
            return None
        return self.sample.median / self.floor.median

    @property
    def minimum_ratio(self) -> float | None:
        """Fastest run over fastest floor run; less sensitive to load from other processes."""
        if self.floor is None:
            return None
        return self.sample.minimum / self.floor.minimum


@dataclass
class SizeFigure:
    """An image's size over its base, in bytes, with the maximum growth it should reach."""

    image: str
    base: str
    size: int
    base_size: int
    goal_bytes: int
    build_seconds: float
    layers: list[tuple[int, str]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return self.size - self.base_size


@dataclass
class ImportSummary:
    """The ``-X importtime`` records of one script run."""

    script: str
    records: list[ImportRecord]


@dataclass
class Report:
    """Everything one benchmark run found, ready to format."""

    header: list[tuple[str, str]]
    judged: bool
    timed: list[TimedFigure] = field(default_factory=list)
    size: SizeFigure | None = None
    imports: list[ImportSummary] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _spread(sample: Sample) -> str:
    text = f"{_ms(sample.minimum)}–{_ms(sample.maximum)}"
    quartiles = sample.interquartile_range()
    if quartiles is not None:
        text += f" (IQR {_ms(quartiles[0])}–{_ms(quartiles[1])})"
    return text


def _verdict(value: float | None, goal: float | None, judged: bool) -> str:
    if value is None or goal is None:
        return "—"
    if not judged:
        return "not judged (--quick)"
    return "yes" if value <= goal else "**no**"


def _timed_rows(report: Report) -> list[str]:
    rows = [
        "| Figure | Median ms | Spread ms: min–max | Runs | Floor | Floor median ms"
        " | Ratio | Ratio of minima | Goal | Met |",
        "|---|---:|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for figure in report.timed:
        floor_median = _ms(figure.floor.median) if figure.floor else "—"
        ratio = f"{figure.ratio:.2f}x" if figure.ratio is not None else "—"
        minimum_ratio = f"{figure.minimum_ratio:.2f}x" if figure.minimum_ratio is not None else "—"
        goal = f"≤ {figure.goal_ratio}x" if figure.goal_ratio is not None else "—"
        rows.append(
            f"| {figure.name} | {_ms(figure.sample.median)} | {_spread(figure.sample)} | {len(figure.sample.seconds)}"
            f" | {figure.floor_name or '—'} | {floor_median} | {ratio} | {minimum_ratio} | {goal}"
            f" | {_verdict(figure.ratio, figure.goal_ratio, report.judged)} |"
        )
    return rows


def _size_rows(size: SizeFigure, judged: bool) -> list[str]:
    goal_mb = size.goal_bytes / MEGABYTE
    rows = [
        "| Image | Size MB |",
        "|---|---:|",
        f"| `{size.base}` (base) | {size.base_size / MEGABYTE:.2f} |",
        f"| `{size.image}` | {size.size / MEGABYTE:.2f} |",
        f"| added by the resource | {size.added / MEGABYTE:.2f} (goal ≤ {goal_mb:g}, met: "
        f"{_verdict(size.added, size.goal_bytes, judged)}) |",
        "",
        f"Build time of this run: {size.build_seconds:.1f} s (layers may have come from the build cache).",
    ]
    if size.layers:
        rows += ["", "Layers above 10 kB, newest first:", "", "| Size MB | Created by |", "|---:|---|"]
        for layer_size, created_by in size.layers:
            if layer_size > 10_000:
                description = f"`{created_by[:110].replace('|', '/')}`" if created_by else "(base image)"
                rows.append(f"| {layer_size / MEGABYTE:.2f} | {description} |")
    return rows


def _import_rows(summary: ImportSummary) -> list[str]:
    names = {record.name for record in summary.records}
    hot = [name for name in ("requests", "jinja2", "urllib3", "jinja2.sandbox") if name in names]
    total_self = sum(record.self_us for record in summary.records)
    rows = [
        f"### {summary.script}",
        "",
        f"{len(summary.records)} modules imported, {total_self / 1000:.1f} ms in total"
        f" (importtime's own overhead included); requests, urllib3 or jinja2 among them:"
        f" {', '.join(hot) if hot else 'none'}.",
        "",
        "| Module | Depth | Cumulative ms | Self ms |",
        "|---|---:|---:|---:|",
    ]
    costliest = sorted(summary.records, key=lambda record: record.cumulative_us, reverse=True)[:IMPORT_ROWS]
    for record in costliest:
        rows.append(
            f"| `{record.name}` | {record.depth} | {record.cumulative_us / 1000:.1f} | {record.self_us / 1000:.1f} |"
        )
    return rows


def format_report(report: Report) -> str:
    """Return the whole report as Markdown."""
    lines = ["# Benchmark report", ""]
    lines += [f"- {label}: {value}" for label, value in report.header]
    lines += ["", "## Figures", ""]
    lines += _timed_rows(report)
    lines += ["", "Ratio is the measured median over the floor median; Met compares it with the goal."]

    lines += ["", "## Image size", ""]
    if report.size is not None:
        lines += _size_rows(report.size, report.judged)
    else:
        lines.append("Not measured; see Skipped.")

    lines += ["", "## Import time", ""]
    lines.append(f"One run of each script under `python -X importtime`; the {IMPORT_ROWS} imports with the")
    lines.append("largest cumulative time. Depth 0 is a top-level import, deeper rows are nested in the rows above.")
    for summary in report.imports:
        lines += ["", *_import_rows(summary)]

    if report.skipped:
        lines += ["", "## Skipped", ""]
        lines += [f"- {reason}" for reason in report.skipped]
    return "\n".join(lines) + "\n"
