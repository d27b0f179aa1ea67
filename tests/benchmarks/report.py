#!/usr/bin/env python3
"""Collect the benchmark results into ``results/report.md`` (+ ``report.json``) with the
ratios of each target, every ratio computed from numbers of the same run.

    python tests/benchmarks/report.py [results_dir]

Reads ``peers/*.json`` (``run_peers.sh``), ``backtest-*.json``, ``autoarima-*.json``,
``windowing.json`` and ``cli.json`` (``run_extra.sh``); missing files leave their rows
out. The automatic-ARIMA comparison refits each library's selected orders with statsmodels
SARIMAX on the same 132 values (``common_aic``, same likelihood for all: lower is better).
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def fmt(x, spec=".3f"):
    return "-" if x is None else format(x, spec)


def verdict(ok):
    return "-" if ok is None else ("met" if ok else "MISSED")


def peer_rows(out):
    jobs = {}
    for path in sorted(glob.glob(os.path.join(out, "peers", "*.json"))):
        name = os.path.basename(path)[:-5]
        if name.startswith("summary"):
            continue
        data = load(path)
        if data and "runs" in data:
            jobs[name] = data
    return jobs


def first_total_s(job):
    """Fit + first forecast of the first model of the process (compile included)."""
    run = job["runs"][0]
    return run["fit_s"] + run.get("predict_first_ms", 0.0) / 1e3


def common_aic(selections, y):
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    out = {}
    for name, sel in selections.items():
        # SARIMAX puts the trend in the differenced equation: "c" is a mean (d + D = 0)
        # or a drift (d + D = 1), as in pmdarima and auto.arima.
        trend = "c" if sel["constant"] else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = SARIMAX(y, order=tuple(sel["order"]), seasonal_order=tuple(sel["seasonal_order"]),
                          trend=trend).fit(disp=False)
        out[name] = dict(aic=float(res.aic), trend=trend,
                         converged=bool(res.mle_retvals.get("converged", True)))
    return out


def main(out):
    targets, lines = [], []
    jobs = peer_rows(out)

    def job(prefix, ds):
        return jobs.get(f"{prefix}-{ds}")

    tsf = {ds: job("tsforecast", ds) for ds in ("sines5000", "airpassengers")}
    if jobs:
        lines += ["## Peer task (one run of run_peers.sh)", "",
                  "| system | dataset | fit s median | 1st fit s | predict ms warm | predict ms cold "
                  "| 1st fit + 1st forecast s | MAE median |", "|---|---|---|---|---|---|---|---|"]
        for name, j in sorted(jobs.items(), key=lambda kv: (kv[1]["task"]["dataset"] != "sines5000", kv[0])):
            lines.append(
                f"| {j['system']} | {j['task']['dataset']} | {fmt(j.get('fit_s_median'))} | "
                f"{fmt(j.get('fit_s_first'))} | {fmt(j.get('predict_ms_median'), '.2f')} | "
                f"{fmt(j.get('predict_first_ms_median'), '.1f')} | {fmt(first_total_s(j))} | "
                f"{fmt(j.get('mae_median'), '.4f')} |")
        lines.append("")
        s = tsf["sines5000"]
        if s:
            for peer in ("darts", "neuralforecast"):
                pj = job(peer, "sines5000")
                if pj:
                    ratio = pj["fit_s_median"] / s["fit_s_median"]
                    targets.append((f"Training sines5000: {peer} fit / tsforecast fit (median of {len(s['runs'])})",
                                    ratio, ">= 2", ratio >= 2,
                                    f"{pj['fit_s_median']:.3f} s / {s['fit_s_median']:.3f} s"))
                    ratio1 = pj["fit_s_first"] / s["fit_s_first"]
                    targets.append(("  same, first fit of the process (compile included)", ratio1,
                                    "(info)", None,
                                    f"{pj['fit_s_first']:.3f} s / {s['fit_s_first']:.3f} s"))
            kj = job("keras-jax", "sines5000")
            if kj:
                ratio = s["fit_s_median"] / kj["fit_s_median"]
                targets.append((f"Training sines5000: tsforecast fit / raw Keras-JAX fit (median of {len(s['runs'])})",
                                ratio, "<= 1.10", ratio <= 1.10,
                                f"{s['fit_s_median']:.3f} s / {kj['fit_s_median']:.3f} s"))
                ratio1 = s["fit_s_first"] / kj["fit_s_first"]
                targets.append(("  same, first fit of the process (compile included)",
                                ratio1, "(info)", None,
                                f"{s['fit_s_first']:.3f} s / {kj['fit_s_first']:.3f} s"))
        a = tsf["airpassengers"]
        dj = job("darts", "airpassengers")
        if a and dj:
            ratio = first_total_s(a) / first_total_s(dj)
            targets.append(("AirPassengers fit + first forecast, compile included: tsforecast / darts",
                            ratio, "<= 1", ratio <= 1,
                            f"{first_total_s(a):.3f} s / {first_total_s(dj):.3f} s"))
            xc = job("tsforecast-xlacache", "airpassengers")
            if xc:
                ratio_x = first_total_s(xc) / first_total_s(dj)
                targets.append(("  same, first fit of a process with the persistent XLA cache warm "
                                "(enable_compilation_cache, as the CLI)", ratio_x, "<= 1", ratio_x <= 1,
                                f"{first_total_s(xc):.3f} s / {first_total_s(dj):.3f} s"))
            ratio_m = (a["fit_s_median"] + a["predict_first_ms_median"] / 1e3) / (
                dj["fit_s_median"] + dj["predict_first_ms_median"] / 1e3)
            targets.append((f"  same, median of {len(a['runs'])} fits in one process (later fits reuse compiled code)",
                            ratio_m, "(info)", None,
                            f"{a['fit_s_median'] + a['predict_first_ms_median'] / 1e3:.3f} s / "
                            f"{dj['fit_s_median'] + dj['predict_first_ms_median'] / 1e3:.3f} s"))
        for ds in ("sines5000", "airpassengers"):
            t = tsf[ds]
            if not t:
                continue
            for peer in ("darts", "neuralforecast"):
                pj = job(peer, ds)
                if pj:
                    ratio = pj["predict_ms_median"] / t["predict_ms_median"]
                    targets.append((f"Single forecast {ds}: {peer} / tsforecast (warm)", ratio,
                                    ">= 5", ratio >= 5,
                                    f"{pj['predict_ms_median']:.2f} ms / {t['predict_ms_median']:.2f} ms"))

    def cpu_over_wall(result):
        """CPU time over wall time of the later backtests (cores kept busy)."""
        later = result["runs"][1:] or result["runs"]
        values = [r["backtest_cpu_over_wall"] for r in later if "backtest_cpu_over_wall" in r]
        return sum(values) / len(values) if values else None

    bt = {}
    for path in glob.glob(os.path.join(out, "backtest-*.json")):
        d = load(path)
        if d:
            bt[(d["system"], d["dataset"])] = d
    for ds in ("airpassengers", "sines5000"):
        t, d = bt.get(("tsforecast", ds)), bt.get(("darts", ds))
        variants = [bt[(system, ds)] for system in ("tsforecast+xla-cache", "tsforecast+2-threads",
                                                     "tsforecast+2-threads+xla-cache")
                    if (system, ds) in bt]
        if not (t and d):
            continue
        assert t["train_ends"] == d["train_ends"], "backtests ran on different folds"
        ratio = d["backtest_s_first"] / t["backtest_s_first"]
        targets.append((f"Backtest {ds}, {t['folds']} folds with refit: darts / tsforecast (first, cold)",
                        ratio, ">= 2", ratio >= 2,
                        f"{d['backtest_s_first']:.3f} s / {t['backtest_s_first']:.3f} s; "
                        f"MAE {d['mae_median']:.2f} / {t['mae_median']:.2f}"))
        if t.get("backtest_s_rest_median") and d.get("backtest_s_rest_median"):
            ratio = d["backtest_s_rest_median"] / t["backtest_s_rest_median"]
            targets.append(("  same, later backtests in the process (warm)", ratio, ">= 2",
                            ratio >= 2,
                            f"{d['backtest_s_rest_median']:.3f} s / {t['backtest_s_rest_median']:.3f} s"))
        for v in variants:
            what = []
            if "threads" in v["system"]:
                what.append("folds in 2 threads (backtest n_jobs=2)")
            if "xla-cache" in v["system"]:
                what.append("first backtest of a process with the persistent XLA cache warm")
            ratio = d["backtest_s_first"] / v["backtest_s_first"]
            targets.append((f"  same, {'; '.join(what)}", ratio, ">= 2", ratio >= 2,
                            f"{d['backtest_s_first']:.3f} s / {v['backtest_s_first']:.3f} s"))
            if "xla-cache" not in v["system"] and v.get("backtest_s_rest_median"):
                ratio = d["backtest_s_rest_median"] / v["backtest_s_rest_median"]
                targets.append(("    same, later backtests in the process (warm)", ratio, ">= 2",
                                ratio >= 2, f"{d['backtest_s_rest_median']:.3f} s / "
                                f"{v['backtest_s_rest_median']:.3f} s"))
        cpu = {x["system"]: cpu_over_wall(x) for x in (t, *variants, d)}
        lines += [f"## Backtest {ds}: {t['folds']} folds, step {t['step']}, horizon 12, "
                  f"training ends {t['train_ends'][0]}..{t['train_ends'][-1]}", "",
                  "| system | first backtest s | later backtests s (median) | CPU / wall (later) | MAE | API |",
                  "|---|---|---|---|---|---|"]
        for x in (t, *variants, d):
            lines.append(f"| {x['system']} | {fmt(x['backtest_s_first'])} | "
                         f"{fmt(x.get('backtest_s_rest_median'))} | {fmt(cpu[x['system']], '.2f')} | "
                         f"{fmt(x['mae_median'], '.2f')} | `{x['api']}` |")
        if t["runs"][0].get("fold_fit_s"):
            folds = ", ".join(f"{v:.2f}" for v in t["runs"][0]["fold_fit_s"])
            lines.append(f"\ntsforecast per-fold fit s (first backtest): {folds}")
        lines.append("")

    aa = {}
    for path in glob.glob(os.path.join(out, "autoarima-*.json")):
        d = load(path)
        if d:
            aa[d["system"]] = d
    if aa:
        sys.path.insert(0, os.environ.get("TSF_PEER_BENCH", "/work/shared/bench"))
        import common as C

        task = C.Task("airpassengers")
        common = common_aic({k: v for k, v in aa.items()}, task.y[: task.n_train])
        lines += ["## Automatic ARIMA, AirPassengers (first 132 values, m = 12)", "",
                  "| library | fit s median | 1st fit s | order | seasonal | const | own AIC "
                  "| common AIC (statsmodels refit) | MAE 12 |", "|---|---|---|---|---|---|---|---|---|"]
        for name in ("tsforecast", "pmdarima", "statsforecast"):
            x = aa.get(name)
            if x:
                lines.append(f"| {name} | {fmt(x['fit_s_median'])} | {fmt(x['fit_s_first'])} | "
                             f"{tuple(x['order'])} | {tuple(x['seasonal_order'])} | {x['constant']} | "
                             f"{x['own_aic']:.2f} | {common[name]['aic']:.2f} | {x['mae']:.2f} |")
        lines.append("")
        t, pm, sf = aa.get("tsforecast"), aa.get("pmdarima"), aa.get("statsforecast")
        if t and pm:
            ratio = pm["fit_s_median"] / t["fit_s_median"]
            targets.append((f"AutoARIMA: pmdarima fit / tsforecast fit (median of {len(t['runs'])})", ratio, "> 1",
                            ratio > 1, f"{pm['fit_s_median']:.3f} s / {t['fit_s_median']:.3f} s"))
            diff = common["tsforecast"]["aic"] - common["pmdarima"]["aic"]
            targets.append(("AutoARIMA: common AIC tsforecast - pmdarima", diff, "<= 0", diff <= 1e-6,
                            f"{common['tsforecast']['aic']:.2f} vs {common['pmdarima']['aic']:.2f}"))
        if t and sf:
            ratio = t["fit_s_median"] / sf["fit_s_median"]
            targets.append(("AutoARIMA: tsforecast fit / statsforecast fit (report)", ratio,
                            "(report)", None,
                            f"{t['fit_s_median']:.3f} s / {sf['fit_s_median']:.3f} s; first fit "
                            f"{t['fit_s_first']:.3f} / {sf['fit_s_first']:.3f} s"))

    w = load(os.path.join(out, "windowing.json"))
    if w:
        lines += ["## make_windows on 10,000,000 points", "",
                  "| input | window/horizon | median ms | first call ms | tracemalloc peak KiB "
                  "| RSS growth MB | shares memory X/Y | logical size of the windows MB |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in w["rows"]:
            lines.append(f"| {r['input']} | {r['window']}/{r['horizon']} | {r['median_ms']:.3f} | "
                         f"{r['first_call_ms']:.3f} | {r['tracemalloc_peak_kb']:.1f} | "
                         f"{r['rss_growth_mb']:.1f} | {r['xw_shares_memory']}/{r['yw_shares_memory']} | "
                         f"{r['windows_logical_mb']:.0f} |")
        lines.append(f"\nFor scale: a contiguous copy of the first million float32 windows of 24 "
                     f"takes {w['contiguous_copy_ms']:.0f} ms ({w['contiguous_copy_mb']:.0f} MB).\n")
        targets.append(("Windowing 10M points: slowest median call", w["worst_median_ms"], "< 100 ms",
                        w["worst_median_ms"] < 100, f"first call {w['worst_first_call_ms']:.2f} ms"))
        targets.append(("Windowing 10M points: outputs share memory with the series (no copy)",
                        None, "True", w["all_no_copy"], "np.shares_memory for X and Y, all inputs"))

    c = load(os.path.join(out, "cli.json"))
    if c:
        h, base = c["help"], c["python_pass"]
        lines += ["## Command line", "",
                  f"- `python -c pass`: median {base['median_s'] * 1e3:.0f} ms of {base['runs']}",
                  f"- `tsforecast --help`: median {h['median_s'] * 1e3:.0f} ms of {h['runs']} "
                  f"(min {h['min_s'] * 1e3:.0f}, max {h['max_s'] * 1e3:.0f})",
                  f"- heavy modules loaded by `import tsforecast.cli.main`: "
                  f"{', '.join(c['heavy_modules_loaded']) or 'none'}"]
        targets.append(("`tsforecast --help` median wall time", h["median_s"], "< 0.5 s",
                        h["median_s"] < 0.5,
                        f"python -c pass {base['median_s']:.3f} s; "
                        f"ratio {h['median_s'] / base['median_s']:.2f}x"))
        if c.get("fit"):
            f = c["fit"]
            lines.append(f"- `{f['cmd']}`: exit {f['exit']}, wall {f['wall_s']:.1f} s, "
                         f"peak RSS {f['peak_rss_mb']:.0f} MB")
            targets.append(("`tsforecast fit` AirPassengers: peak RSS MB (reported)",
                            f["peak_rss_mb"], "(report)", None,
                            f"wall {f['wall_s']:.1f} s, exit {f['exit']}"))
        lines.append("")

    head = ["# Benchmark report", "",
            "| target | measured | goal | verdict | numbers |", "|---|---|---|---|---|"]
    for name, value, goal, ok, detail in targets:
        shown = "-" if value is None else (f"{value:.2f}" if abs(value) < 1000 else f"{value:.0f}")
        head.append(f"| {name} | {shown} | {goal} | {verdict(ok)} | {detail} |")
    text = "\n".join(head + [""] + lines) + "\n"
    with open(os.path.join(out, "report.md"), "w") as fh:
        fh.write(text)
    with open(os.path.join(out, "report.json"), "w") as fh:
        json.dump([dict(target=n, value=v, goal=g, met=o, numbers=d) for n, v, g, o, d in targets],
                  fh, indent=1)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "results"))
