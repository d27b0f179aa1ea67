#!/usr/bin/env python3
"""Command-line start-up and the peak memory of ``tsforecast fit``.

    python tests/benchmarks/bench_cli.py --out results/cli.json

* ``tsforecast --help`` vs ``python -c pass`` (same interpreter): median wall time of
  ``--runs`` fresh processes each (one warm-up run of each first, not counted). The console
  script is called by its path next to the interpreter (a pyenv shim would add a shell).
* ``import tsforecast.cli.main`` must not load keras/jax (nor numpy/pandas): the modules
  loaded are listed, with the slowest imports from ``python -X importtime``.
* ``tsforecast fit <shipped air_passengers.csv>`` under ``/usr/bin/time -v``: wall time,
  peak RSS ("Maximum resident set size"), exit status, run in a temporary directory.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable
SCRIPT = os.path.join(os.path.dirname(PY), "tsforecast")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def wall(cmd, runs, **kwargs):
    subprocess.run(cmd, check=True, capture_output=True, **kwargs)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, **kwargs)
        times.append(time.perf_counter() - t0)
    return dict(cmd=" ".join(cmd), median_s=statistics.median(times), min_s=min(times),
                max_s=max(times), runs=runs)


def import_report():
    code = ("import sys; from tsforecast.cli.main import cli; "
            "print(','.join(m for m in ('keras', 'jax', 'numpy', 'pandas', 'sklearn', "
            "'statsmodels', 'scipy', 'matplotlib') if m in sys.modules))")
    loaded = subprocess.run([PY, "-c", code], check=True, capture_output=True, text=True)
    timing = subprocess.run([PY, "-X", "importtime", "-c", "from tsforecast.cli.main import cli"],
                            check=True, capture_output=True, text=True)
    rows = []
    for line in timing.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append((int(m.group(2)), m.group(4).strip()))
    top = sorted(rows, reverse=True)[:8]
    return dict(heavy_modules_loaded=[m for m in loaded.stdout.strip().split(",") if m],
                slowest_cumulative_imports_us=[[name, us] for us, name in top])


def fit_peak(dataset):
    tmp = tempfile.mkdtemp(prefix="tsf_cli_bench_")
    try:
        data = os.path.join(tmp, os.path.basename(dataset))
        shutil.copy(dataset, data)
        timefile = os.path.join(tmp, "time.txt")
        cmd = ["/usr/bin/time", "-v", "-o", timefile, SCRIPT, "fit", data]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - t0
        with open(timefile) as fh:
            txt = fh.read()
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", txt).group(1))
        cpu = re.search(r"Percent of CPU this job got: (\d+)%", txt)
        return dict(cmd=f"tsforecast fit {os.path.relpath(dataset, REPO)}", wall_s=elapsed,
                    peak_rss_mb=peak / 1024.0, exit=proc.returncode,
                    cpu_pct=int(cpu.group(1)) if cpu else None,
                    stdout=proc.stdout[-3000:], stderr=proc.stderr[-2000:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--dataset", default=os.path.join(REPO, "datasets", "air_passengers.csv"))
    p.add_argument("--skip-fit", action="store_true")
    p.add_argument("--out", default=None)
    args = p.parse_args()

    baseline = wall([PY, "-c", "pass"], args.runs)
    help_ = wall([SCRIPT, "--help"], args.runs)
    imp = wall([PY, "-c", "import tsforecast.cli.main"], args.runs)
    print(f"python -c pass            median {baseline['median_s'] * 1e3:.0f} ms")
    print(f"tsforecast --help         median {help_['median_s'] * 1e3:.0f} ms "
          f"(+{(help_['median_s'] - baseline['median_s']) * 1e3:.0f} ms over the interpreter)")
    print(f"import tsforecast.cli.main median {imp['median_s'] * 1e3:.0f} ms")
    report = import_report()
    print(f"heavy modules loaded by the CLI import: {report['heavy_modules_loaded'] or 'none'}")
    result = dict(benchmark="cli", python_pass=baseline, help=help_, import_cli=imp,
                  help_target_s=0.5, help_met=help_["median_s"] < 0.5, **report,
                  python=sys.version.split()[0], platform=platform.platform())
    if not args.skip_fit:
        fit = fit_peak(args.dataset)
        print(f"{fit['cmd']}: exit {fit['exit']}, wall {fit['wall_s']:.1f} s, "
              f"peak RSS {fit['peak_rss_mb']:.0f} MB, CPU {fit['cpu_pct']}%")
        print(fit["stdout"])
        if fit["exit"]:
            print(fit["stderr"])
        result["fit"] = fit
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
