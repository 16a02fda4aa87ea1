"""Plots of the committed benchmark results, for the docs' benchmarks page.

    python docs/make_plots.py [--results benchmarks/results] [--out docs/_generated/benchmarks]

Reads every ``*.json`` in the results folder, as written by ``benchmarks/gpu_bench.py
--json FILE``: ``{"device", "date", "command", ..., "rows": [{"name", "unit",
"arrbackend", "peers": {"cupy": ..., "cupy.fuse": ..., "hand kernel": ...}, "target"}]}``.
For each file it draws one PNG (a panel per unit, arrbackend's bar beside its peers',
logarithmic where the values span decades) and writes ``benchmarks.md``, the page's body:
each run's device, date and command, its figure and its numbers.  With no results it
writes a page that says so.  The docs build runs this script (``docs/_ext``); it can also
be run by hand.
"""
from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "benchmarks" / "results"
OUT = HERE / "_generated" / "benchmarks"

SERIES = ("arrbackend", "cupy", "cupy.fuse", "hand kernel", "numpy")
COLORS = {"arrbackend": "#1f77b4", "cupy": "#ff7f0e", "cupy.fuse": "#2ca02c",
          "hand kernel": "#7f7f7f", "numpy": "#9467bd"}
OTHER_COLORS = ("#8c564b", "#e377c2", "#bcbd22", "#17becf", "#d62728")


def load(path: Path) -> dict:
    """One results file, checked: a dict with a list of rows, each with a name, a unit and
    arrbackend's number.  Raises ValueError for anything else."""
    data = json.loads(path.read_text())
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise ValueError("no 'rows' list (not written by benchmarks/gpu_bench.py --json)")
    for r in rows:
        if not isinstance(r, dict) or not {"name", "unit", "arrbackend"} <= set(r):
            raise ValueError(f"a row without name, unit and arrbackend: {r!r}")
    return data


def _values(row: dict) -> dict:
    peers = row.get("peers") or {}
    vals = {"arrbackend": row["arrbackend"]}
    vals.update({k: v for k, v in peers.items() if isinstance(v, (int, float))})
    return {k: v for k, v in vals.items() if isinstance(v, (int, float)) and v > 0}


def plot(data: dict, title: str, path: Path) -> None:
    """One figure for one results file: a panel per unit, grouped horizontal bars."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    units: dict = {}
    for r in data["rows"]:
        units.setdefault(r["unit"], []).append(r)
    heights = [max(1.5, 0.55 * len(rows) + 1.0) for rows in units.values()]
    fig, axes = plt.subplots(len(units), 1, figsize=(9, sum(heights)),
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (unit, rows) in zip(axes[:, 0], units.items()):
        series = [s for s in SERIES if any(s in _values(r) for r in rows)]
        series += sorted({k for r in rows for k in _values(r)} - set(series))
        width = 0.8 / max(len(series), 1)
        allv = [v for r in rows for v in _values(r).values()]
        extra = iter(OTHER_COLORS * 4)
        for j, s in enumerate(series):
            ys = [i + (j - (len(series) - 1) / 2) * width for i in range(len(rows))]
            xs = [_values(r).get(s, 0) for r in rows]
            ax.barh(ys, xs, height=width, label=s, color=COLORS.get(s) or next(extra))
        ax.set_yticks(range(len(rows)), [r["name"] for r in rows])
        ax.invert_yaxis()
        if allv and max(allv) / min(allv) > 50:
            ax.set_xscale("log")
        ax.set_xlabel(f"{unit} (lower is better)" if unit in ("ms", "s", "us") else unit)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  frameon=False)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(v) -> str:
    if not isinstance(v, (int, float)) or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:.4g}"


def _table(data: dict) -> list[str]:
    seen = {k for r in data["rows"] for k in (r.get("peers") or {})}
    peers = [s for s in SERIES[1:] if s in seen] + sorted(seen - set(SERIES))
    head = ["benchmark", "unit", "arrbackend"] + peers + ["target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in data["rows"]:
        p = r.get("peers") or {}
        cells = [r["name"], r["unit"], _fmt(r["arrbackend"])] + [_fmt(p.get(s)) for s in peers]
        cells.append(str(r.get("target") or ""))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


def make(results: Path = RESULTS, out: Path = OUT) -> list[Path]:
    """Draw every results file's figure into ``out`` and write ``out/benchmarks.md``;
    returns the figures' paths."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    files = sorted(results.glob("*.json")) if results.is_dir() else []
    page: list[str] = []
    figures: list[Path] = []
    skipped: list[str] = []
    for f in files:
        try:
            data = load(f)
        except (ValueError, json.JSONDecodeError) as exc:
            skipped.append(f"`{f.name}`: {exc}")
            continue
        device = data.get("device", "unknown device")
        title = f"{device}, {data.get('date', 'undated')}"
        png = out / f"{f.stem}.png"
        plot(data, title, png)
        figures.append(png)
        page += [f"## {title}", "",
                 f"From `benchmarks/results/{f.name}`, made by "
                 f"`{data.get('command', 'benchmarks/gpu_bench.py')}`"
                 + (f" (arrbackend {data['arrbackend']}" if "arrbackend" in data else "")
                 + (f", CuPy {data['cupy']}" if "cupy" in data else "")
                 + (f", NumPy {data['numpy']})" if "numpy" in data else
                    (")" if "arrbackend" in data else "")) + ".", "",
                 f"![{title}](/_generated/benchmarks/{png.name})", ""] + _table(data) + [""]
    if not figures:
        page = ["```{note}",
                "No benchmark results are committed yet. On a machine with a GPU, "
                "`bash benchmarks/run_gpu.sh` runs the GPU benchmarks and writes their "
                "numbers as JSON; committed as `benchmarks/results/<name>.json`, they "
                "appear here, plotted, at the next docs build.",
                "```", ""]
    if skipped:
        page += ["Files in `benchmarks/results/` that are not benchmark results:", ""]
        page += [f"* {s}" for s in skipped] + [""]
    (out / "benchmarks.md").write_text("\n".join(page))
    return figures


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--results", type=Path, default=RESULTS)
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    figures = make(a.results, a.out)
    print(f"{len(figures)} figure(s) in {a.out}" if figures else
          f"no benchmark results in {a.results}; {a.out / 'benchmarks.md'} says so")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
