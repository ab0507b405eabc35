"""Benchmark powdata against what a user would otherwise run, and write RESULTS.md.

Every pair is timed as cold subprocesses, interleaved A B A B after a warm-up,
and reported as median and min–max; the ratio is the median of the per-pair
ratios (each A right after its B, under the same load) against its target —
shared machines are noisy, so no lone absolute time is trusted. Full validation
(every check: Table Schema, descriptor, rules) is also timed on synthetic
consistent packages of 10³ … 10⁶ observations (time and peak memory of the
process and its Frictionless child), next to stock ``frictionless validate`` up
to 10⁵ observations.

The work each call does is counted too (`work_section`): how many times the
descriptor is parsed, files pass the path gate, are read and hashed, and tables
are typed, in one ``figures()``, one ``build`` and one ``validate`` — each file
should be read once per call and the descriptor parsed once.

Usage: python benchmarks/run.py [--repeat N] [--max-rows N] [--only-work]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
FRICTIONLESS = shutil.which("frictionless", path=str(Path(PY).parent)) or "frictionless"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The runs' environment: bytecode is written (by the warm-up) and read, as an installed package has it.

With ``PYTHONDONTWRITEBYTECODE`` set, an editable install recompiles powdata's
own modules from source in every run (about 50 ms), while Frictionless and
pandas read the bytecode pip wrote at install: the comparison would be unfair.
"""


def cpu() -> str:
    """Name the processor and its cores, for the report."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def timed(cmd: list[str], cwd: Path = ROOT, *, check: bool = True) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=check, capture_output=True, env=ENV)
    return time.perf_counter() - start


def pair(a: list[str], b: list[str], repeat: int) -> tuple[list[float], list[float]]:
    timed(a), timed(b)  # warm-up: file cache, .pyc
    ta, tb = [], []
    for _ in range(repeat):
        ta.append(timed(a))
        tb.append(timed(b))
    return ta, tb


def fmt(ts: list[float]) -> str:
    return f"{statistics.median(ts) * 1000:.0f} ms ({min(ts) * 1000:.0f}–{max(ts) * 1000:.0f})"


def synthetic(n: int, folder: Path) -> None:
    """Write a consistent package of ``n`` observations (plus the shipped small tables)."""
    import pandas as pd

    from powdata.release.build import build

    for sub in ("data", "schemas"):
        shutil.copytree(ROOT / sub, folder / sub)
    shutil.copy(ROOT / "datapackage.json", folder / "datapackage.json")
    obs = pd.read_csv(ROOT / "data" / "observations.csv", dtype="string", keep_default_na=False)
    base = obs.loc[obs["observation_id"] == "foreign-pow-countries-2025-08-14"].iloc[0]
    k = n - len(obs)
    rows = pd.DataFrame({c: [base[c]] * k for c in obs.columns})
    ids = pd.Series(range(k)).astype(str)
    rows["observation_id"] = "synthetic-" + ids
    rows["stated_by"] = "coordination-hq-2025-08-14"
    rows["area_id"] = "all"
    rows["indicator_id"] = "foreign-pows-held"
    rows["value"] = "100"
    rows["qualifier"] = "more_than"
    rows["note"] = ""
    # one value per key: each row its own period (a start day and a length), all before as_of
    i = pd.Series(range(k))
    starts = pd.Timestamp("2000-01-01") + pd.to_timedelta(i % 9000, unit="D")
    ends = starts + pd.to_timedelta(i // 9000, unit="D")
    rows["period_start"] = starts.dt.strftime("%Y-%m-%d").to_numpy()
    rows["period_end"] = ends.dt.strftime("%Y-%m-%d").to_numpy()
    rows["as_of"] = "2025-08-14"
    pd.concat([obs, rows]).to_csv(folder / "data" / "observations.csv", index=False, lineterminator="\n")
    # each synthetic statement is quoted once, with the first quote's words ("More than 100 …")
    quotes = pd.read_csv(ROOT / "data" / "quotes.csv", dtype="string", keep_default_na=False)
    first = quotes.iloc[0]
    new = pd.DataFrame(
        {
            "quote_id": rows["observation_id"] + "--united24",
            "observation_id": rows["observation_id"],
            "source_id": first["source_id"],
            "excerpt": first["excerpt"],
            "note": "",
        }
    )
    pd.concat([quotes, new]).to_csv(folder / "data" / "quotes.csv", index=False, lineterminator="\n")
    build(folder)


FULL = (
    "import sys, resource, time; t = time.perf_counter(); import powdata; r = powdata.validate(sys.argv[1]);"
    "dt = time.perf_counter() - t; rss = max(resource.getrusage(w).ru_maxrss for w in "
    "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); print(dt, rss, len(r.errors), r.errors[:2])"
)


def corrected_pair(n: int, folder: Path) -> tuple[Path, Path]:
    """Two packages of ``n`` observations that differ in every value (a PATCH of ``n`` corrections)."""
    import pandas as pd

    old, new = folder / "old", folder / "new"
    for pkg, value in ((old, "100"), (new, "101")):
        for sub in ("data", "schemas"):
            shutil.copytree(ROOT / sub, pkg / sub)
        shutil.copy(ROOT / "datapackage.json", pkg / "datapackage.json")
        obs = pd.read_csv(ROOT / "data" / "observations.csv", dtype="string", keep_default_na=False)
        rows = pd.DataFrame({c: [obs.loc[0, c]] * n for c in obs.columns})
        rows["observation_id"] = "synthetic-" + pd.Series(range(n)).astype(str)
        rows["value"] = value
        rows.to_csv(pkg / "data" / "observations.csv", index=False, lineterminator="\n")
    return old, new


def diff_section(n: int, repeat: int) -> list[str]:
    """Time `powdata diff` of ``n`` corrected values against reading both CSV files with pandas."""
    with tempfile.TemporaryDirectory() as tmp:
        old, new = corrected_pair(n, Path(tmp))
        a = [PY, "-m", "powdata", "diff", str(old), str(new), "--format", "json"]
        probe = subprocess.run(a, capture_output=True, text=True, check=False)
        if probe.returncode != 1:  # a PATCH without a version bump: exit 1; anything else is not a diff timed
            msg = f"powdata diff exited {probe.returncode}: {probe.stderr.strip()}"
            raise SystemExit(msg)
        files = tuple(str(p / "data" / "observations.csv") for p in (old, new))
        b = [PY, "-c", f"import pandas as pd; [pd.read_csv(p, dtype='string') for p in {files!r}]"]
        ta, tb = [], []
        timed(b)
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(a, capture_output=True, check=False)  # exit 1: a PATCH needs a version bump
            ta.append(time.perf_counter() - start)
            tb.append(timed(b))
    ratio = statistics.median(x / y for x, y in zip(ta, tb, strict=True))
    target = 8.0
    return [
        "",
        "## Diff of corrected values",
        "",
        "| measure | powdata | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
        f"| `powdata diff` of {n:,} corrected values vs `pd.read_csv` of both files | {fmt(ta)} | {fmt(tb)} "
        f"| {ratio:.2f}× | ≤ {target}× | {'yes' if ratio <= target else 'NO'} |",
    ]


# the work counted, as (label, module attribute): every call goes through these functions of _package, _io and _schema
COUNTED = (
    ("descriptor parses", "check_descriptor"),
    ("path-gate calls", "gate"),
    ("file reads", "read_gated"),
    ("sha256 hashes", "sha256_of"),
    ("tables typed", "type_frame"),
)
# what the same calls did before the package was opened once (issue 16, measured on 0.2.0)
BEFORE = {
    "`figures()`": {"descriptor parses": 7, "most reads of one file": 3},
    "`build` (descriptor, codebook, README series, citation)": {"descriptor parses": 71},
    "`validate` (no Frictionless stage)": {"descriptor parses": 3, "path-gate calls": 51},
}


def work_counts() -> dict[str, dict[str, int]]:
    """Count the work of one `figures()`, one `build` and one `validate` on a copy of the package.

    The counted functions are wrapped in every powdata module that bound them, so
    a name imported with ``from … import`` is counted too. Runs in its own process.
    """
    import collections
    import functools

    import powdata._io.gate as gt
    import powdata._io.integrity as ig
    import powdata._package as pk
    import powdata._schema as sc

    tally: collections.Counter[str] = collections.Counter()
    per_file: collections.Counter[str] = collections.Counter()

    def counted(module: object, attr: str, label: str) -> None:
        inner = getattr(module, attr)

        @functools.wraps(inner)
        def wrapper(*args: object, **kwargs: object) -> object:
            tally[label] += 1
            if attr == "read_gated":
                per_file[str(args[0])] += 1
            return inner(*args, **kwargs)

        # every module that bound the function (`from … import gate`) gets the counting one
        for name, mod in list(sys.modules.items()):
            if name.startswith("powdata") and getattr(mod, attr, None) is inner:
                setattr(mod, attr, wrapper)

    import powdata
    import powdata.citation
    import powdata.release.build
    import powdata.release.codebook
    import powdata.release.registry
    import powdata.validation.descriptor  # every module loaded, so every binding is counted

    owner = {"check_descriptor": pk, "gate": gt, "read_gated": gt, "sha256_of": ig, "type_frame": sc}
    for label, attr in COUNTED:
        counted(owner[attr], attr, label)
    from powdata.release.build import build_package

    out: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        pkg = Path(tmp) / "pkg"
        pkg.mkdir()
        shutil.copy(ROOT / "datapackage.json", pkg / "datapackage.json")
        for sub in ("data", "schemas", "docs"):
            shutil.copytree(ROOT / sub, pkg / sub)
        shutil.copy(ROOT / "README.md", pkg / "README.md")
        shutil.copy(ROOT / "CITATION.cff", pkg / "CITATION.cff")
        calls = (
            ("`figures()`", lambda: powdata.figures(path=pkg)),
            ("`build` (descriptor, codebook, README series, citation)", lambda: build_package(pkg)),
            ("`validate` (no Frictionless stage)", lambda: powdata.validate(pkg, structural=False)),
        )
        for title, call in calls:
            tally.clear()
            per_file.clear()
            start = time.perf_counter()
            call()
            elapsed = time.perf_counter() - start
            out[title] = {label: tally[label] for label, _ in COUNTED}
            out[title]["most reads of one file"] = max(per_file.values(), default=0)
            out[title]["ms"] = round(elapsed * 1000)
    return out


def work_section() -> list[str]:
    """The work counts of `work_counts` (run in a fresh process) as a Markdown table, with the 0.2.0 counts."""
    cmd = [PY, str(Path(__file__).resolve()), "--work-json"]
    counts = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    labels = [label for label, _ in COUNTED] + ["most reads of one file"]
    lines = [
        "",
        "## Work per call",
        "",
        "How many times one call parses the descriptor, gates, reads and hashes a file and types a table, on the",
        "shipped package (a copy), counted in-process; in brackets the count of 0.2.0 where it was measured.",
        "",
        "| call | time | " + " | ".join(labels) + " |",
        "|---|---|" + "---|" * len(labels),
    ]
    for title, row in counts.items():
        before = BEFORE.get(title, {})
        cells = [f"{row[label]}" + (f" (was {before[label]})" if label in before else "") for label in labels]
        lines.append(f"| {title} | {row['ms']} ms | " + " | ".join(cells) + " |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--max-rows", type=int, default=1_000_000)
    ap.add_argument("--scale-repeat", type=int, default=3, help="cold runs per size of the full validation")
    ap.add_argument("--frictionless-max-rows", type=int, default=100_000, help="largest size for stock Frictionless")
    ap.add_argument("--diff-rows", type=int, default=300_000, help="corrected values in the diff benchmark")
    ap.add_argument("--only-diff", action="store_true", help="run only the diff benchmark and print it")
    ap.add_argument("--only-work", action="store_true", help="count the work per call and print it")
    ap.add_argument("--only-cold", action="store_true", help="run only the three cold-start pairs and print them")
    ap.add_argument("--work-json", action="store_true", help=argparse.SUPPRESS)  # the child of --only-work
    args = ap.parse_args()
    if args.work_json:
        print(json.dumps(work_counts()))
        return 0
    if args.only_work:
        print("\n".join(work_section()))
        return 0
    if args.only_diff:
        print("\n".join(diff_section(args.diff_rows, args.scale_repeat)))
        return 0
    obs_csv = str(ROOT / "data" / "observations.csv")
    pairs = [
        ("`import powdata` vs `import pandas`", [PY, "-c", "import powdata"], [PY, "-c", "import pandas"], 0.15),
        (
            '`powdata.load("observations")` vs `pd.read_csv` (the floor)',
            [PY, "-c", "import powdata; powdata.load('observations')"],
            [PY, "-c", f"import pandas as pd; pd.read_csv({obs_csv!r})"],
            1.10,
        ),
        (
            "`powdata validate` vs `frictionless validate datapackage.json`",
            [PY, "-m", "powdata", "validate"],
            [FRICTIONLESS, "validate", "datapackage.json"],
            1.25,
        ),
    ]
    lines = [
        "# powdata benchmarks",
        "",
        f"Machine: {cpu()}; Python {platform.python_version()}; "
        f"pandas {version('pandas')}, pandera {version('pandera')}, frictionless {version('frictionless')}; "
        f"powdata {version('powdata')}. Each time: median (min–max) of {args.repeat} cold subprocess runs, "
        "interleaved A B A B after a warm-up; the ratio is the median of the per-pair ratios A/B. "
        "Generated by `python benchmarks/run.py`.",
        "",
        "| measure | powdata | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for title, a, b, target in pairs:
        ta, tb = pair(a, b, args.repeat)
        # each A runs right after its B, so their ratio sees the same machine load; the median of
        # those per-pair ratios resists a noisy neighbour better than a ratio of two medians
        ratio = statistics.median(x / y for x, y in zip(ta, tb, strict=True))
        met = "yes" if ratio <= target else "NO"
        lines.append(f"| {title} | {fmt(ta)} | {fmt(tb)} | {ratio:.2f}× | ≤ {target}× | {met} |")
        print(lines[-1], flush=True)
    if args.only_cold:
        return 0
    lines += [
        "",
        "## Full validation at scale",
        "",
        "Every check (reader, typer, Pandera models with primary and foreign keys, descriptor, rules) on",
        "synthetic consistent packages; peak RSS is the larger of the process and its Frictionless child.",
        "",
        "| observations | powdata validate: time | peak RSS | errors | stock `frictionless validate`: time | ratio |",
        "|---|---|---|---|---|---|",
    ]
    sizes = [n for n in (1_000, 10_000, 100_000, 1_000_000) if n <= args.max_rows]
    full_times: dict[int, float] = {}
    full_rss: dict[int, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / str(n)
            synthetic(n, folder)
            runs = []
            for _ in range(args.scale_repeat):  # cold subprocesses; the median is reported
                out = subprocess.run([PY, "-c", FULL, str(folder)], capture_output=True, text=True, check=True)
                runs.append(out.stdout.split(" ", 3))
            times = sorted(float(r[0]) for r in runs)
            t = statistics.median(times)
            rss = max(int(r[1]) for r in runs)
            errs, sample = runs[0][2], runs[0][3]
            full_times[n], full_rss[n] = t, rss
            stock, ratio = "not run (pure Python, linear; see the 10⁵ row)", "–"
            if n <= args.frictionless_max_rows:
                ft = timed([FRICTIONLESS, "validate", "datapackage.json"], cwd=folder, check=False)
                stock, ratio = f"{ft:.2f} s", f"{t / ft:.2f}×"
            cell = f"{t:.2f} s ({times[0]:.2f}–{times[-1]:.2f})"
            lines.append(f"| {n:,} | {cell} | {rss / 1024:.0f} MiB | {errs} | {stock} | {ratio} |")
            print(lines[-1], sample.strip(), flush=True)
    if 1_000_000 in full_times:
        t, rss = full_times[1_000_000], full_rss[1_000_000]
        lines += [
            "",
            f"Target: full validation of 10⁶ observations ≤ 10 s and ≤ 2 GiB: {t:.2f} s, {rss / 1024:.0f} MiB — "
            f"{'met' if t <= 10 and rss <= 2 * 1024 * 1024 else 'NOT met'}.",
        ]
    lines += diff_section(args.diff_rows, args.scale_repeat)
    lines += work_section()
    (ROOT / "benchmarks" / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(json.dumps({"written": "benchmarks/RESULTS.md"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
