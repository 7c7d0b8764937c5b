"""The report's figures (see bench.py's write_report), drawn with Debian's
python3-matplotlib into PNG files:

    throughput.png          requests/s and p99 per scenario, the nginx ceilings as reference lines
    latency-histograms.png  each scenario's latency distribution, from loadgen's histogram buckets
    footprint-rss.png       the server's RSS through scenario `footprint`, shaded by phase
    soak-rss.png            the server's RSS and descriptors through bench/soak.py's run

Each function draws its figure when its data is there and returns the
file's name, or None when there was nothing to draw."""

import math

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

CEILINGS = ("ceiling-hit", "ceiling-miss")
CEILING_STYLE = {"ceiling-hit": ("tab:green", "--"), "ceiling-miss": ("tab:red", ":")}
# The server scenarios' colour in both figures, by the table's "Identity cache" cell.
CACHE_CELL_COLOURS = {"on": "tab:orange", "off": "tab:blue", "n/a": "tab:grey"}
CACHE_CELL_LABELS = {"off": "identity cache off", "on": "identity cache on", "n/a": "no authentication (floor)"}
DPI = 110


def save(figure, folder, name):
    folder.mkdir(parents=True, exist_ok=True)
    figure.savefig(folder / name, dpi=DPI)
    plt.close(figure)
    return name


def throughput(results, cache_of, folder):
    """Two panels over the server's scenarios: requests/s and p99, bars
    coloured by the identity cache's cell ("on", "off", or "n/a" where
    nothing is authenticated); each nginx ceiling is a horizontal line
    across both."""
    names = [name for name, r in results.items() if "latency_ms" in r and name not in CEILINGS]
    if not names:
        return None
    figure, (rate_axes, p99_axes) = plt.subplots(1, 2, figsize=(12, 5.4))
    cells = [cache_of(name, results[name]) for name in names]
    colours = [CACHE_CELL_COLOURS[cell] for cell in cells]
    for axes, values, title, unit in (
            (rate_axes, [results[n]["throughput"] for n in names], "Throughput", "requests/s"),
            (p99_axes, [results[n]["latency_ms"]["p99"] for n in names], "p99 latency", "ms")):
        bars = axes.bar(names, values, color=colours)
        axes.bar_label(bars, labels=[f"{v:,.0f}" if v >= 100 else f"{v:.1f}" for v in values], fontsize=8)
        for ceiling in CEILINGS:
            if ceiling in results:
                r = results[ceiling]
                value = r["throughput"] if axes is rate_axes else r["latency_ms"]["p99"]
                colour, style = CEILING_STYLE[ceiling]
                axes.axhline(value, color=colour, linestyle=style, linewidth=1.5,
                             label=f"{ceiling} (nginx): {value:,.0f}" if axes is rate_axes
                             else f"{ceiling} (nginx): {value:.1f}")
        axes.set_title(title)
        axes.set_ylabel(unit)
        axes.tick_params(axis="x", labelrotation=20)
        axes.grid(axis="y", alpha=0.3)
    handles = [Patch(color=CACHE_CELL_COLOURS[cell], label=label) for cell, label in CACHE_CELL_LABELS.items()
               if cell != "n/a" or cell in cells]
    for axes in (rate_axes, p99_axes):  # legends below, clear of the bars and their labels
        lines, _ = axes.get_legend_handles_labels()
        axes.legend(handles=handles + lines, fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.14))
        axes.set_ylim(0, axes.get_ylim()[1] * 1.08)
    figure.suptitle("Server scenarios against the nginx ceilings (higher is better on the left, lower on the right)")
    figure.tight_layout()
    return save(figure, folder, "throughput.png")


def latency_histograms(results, cache_of, folder):
    """One panel per scenario with loadgen's buckets: the share of requests
    by latency, on a logarithmic axis (its fine buckets regrouped, 8 bins per
    doubling), with p50 and p99 marked."""
    names = [name for name, r in results.items() if r.get("latency_buckets_us")]
    if not names:
        return None
    columns = min(3, len(names))
    rows = math.ceil(len(names) / columns)
    figure, grid = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.2 * rows), squeeze=False)
    for axes in grid.flat[len(names):]:
        axes.set_visible(False)
    for axes, name in zip(grid.flat, names):
        r = results[name]
        buckets = r["latency_buckets_us"]
        total = sum(count for _, _, count in buckets)
        bins = {}  # bin number -> count, 8 bins per doubling of the latency
        for lower, upper, count in buckets:
            middle = max((lower + upper) / 2, 1)
            key = math.floor(8 * math.log2(middle))
            bins[key] = bins.get(key, 0) + count
        keys = range(min(bins), max(bins) + 1)
        edges = [2 ** (k / 8) / 1000 for k in keys]  # ms
        widths = [2 ** ((k + 1) / 8) / 1000 - edge for k, edge in zip(keys, edges)]
        shares = [100 * bins.get(k, 0) / total for k in keys]
        colour = "grey" if name in CEILINGS else CACHE_CELL_COLOURS[cache_of(name, r)]
        axes.bar(edges, shares, width=widths, align="edge", color=colour)
        axes.set_xscale("log")
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        for label, style in (("p50", "-"), ("p99", "--")):
            value = r["latency_ms"][label]
            axes.axvline(value, color="black", linestyle=style, linewidth=1, label=f"{label} {value:.2f} ms")
        axes.set_title(f"{name} ({total:,} requests)", fontsize=10)
        axes.set_xlabel("latency, ms (log)")
        axes.set_ylabel("% of requests")
        axes.legend(fontsize=7)
        axes.grid(alpha=0.3)
    figure.suptitle("Latency distributions (blue: identity cache off, orange: on, grey: nginx)")
    figure.tight_layout()
    return save(figure, folder, "latency-histograms.png")


def footprint_rss(result, folder):
    """RSS through scenario `footprint`: a line over time, its phases shaded."""
    samples = (result or {}).get("samples")
    if not samples:
        return None
    figure, axes = plt.subplots(figsize=(10, 4.2))
    times = [t for t, _, _ in samples]
    axes.plot(times, [kib / 1024 for _, kib, _ in samples], color="black", linewidth=1.2, label="server RSS")
    spans = []  # (phase, start, end)
    for t, _, phase in samples:
        if spans and spans[-1][0] == phase:
            spans[-1][2] = t
        else:
            if spans:
                spans[-1][2] = t
            spans.append([phase, t, t])
    palette = plt.get_cmap("tab10")
    seen = {}
    for phase, start, end in spans:
        first = phase not in seen
        colour = seen.setdefault(phase, palette(len(seen)))
        axes.axvspan(start, end, color=colour, alpha=0.2, label=phase if first else None)
    axes.set_xlabel("seconds")
    axes.set_ylabel("RSS, MiB")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="upper left")
    axes.set_title(f"Scenario footprint: {result['connections']:,} idle keep-alive connections, then a burst "
                   f"({result['kib_per_idle_connection']:.1f} KiB per idle connection)", fontsize=10)
    figure.tight_layout()
    return save(figure, folder, "footprint-rss.png")


def soak_rss(report, folder):
    """RSS and open descriptors through the soak, warm-up shaded."""
    samples = (report or {}).get("samples")
    if not samples:
        return None
    figure, (rss_axes, fd_axes) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True)
    scale, unit = (60, "minutes") if samples[-1]["t"] >= 180 else (1, "seconds")
    minutes = [s["t"] / scale for s in samples]
    rss_axes.plot(minutes, [s["rss_mib"] for s in samples], color="black", marker=".", linewidth=1.2)
    fd_axes.plot(minutes, [s["fds"] for s in samples], color="tab:blue", marker=".", linewidth=1.2,
                 label="open descriptors")
    fd_axes.plot(minutes, [s["threads"] for s in samples], color="tab:purple", marker=".", linewidth=1.2,
                 label="threads")
    for axes in (rss_axes, fd_axes):
        axes.axvspan(0, report.get("warmup_s", 0) / scale, color="grey", alpha=0.2,
                     label="warm-up" if axes is rss_axes else None)
        axes.grid(alpha=0.3)
    rss_axes.set_ylim(0, 1.2 * max(s["rss_mib"] for s in samples))
    fd_axes.set_ylim(0, 1.2 * max(max(s["fds"], s["threads"]) for s in samples))
    rss_axes.set_ylabel("RSS, MiB")
    rss_axes.legend(fontsize=8, loc="lower right")
    fd_axes.set_ylabel("count")
    fd_axes.set_xlabel(unit)
    fd_axes.legend(fontsize=8, loc="lower right")
    length = f"{report['duration_s'] / 60:g} min" if report["duration_s"] >= 180 else f"{report['duration_s']:g} s"
    rss_axes.set_title(f"Soak: {length} at {report['rate']:.0f} requests/s with abusers, mapping changes and SIGHUPs "
                       f"(warm-up shaded)", fontsize=10)
    figure.tight_layout()
    return save(figure, folder, "soak-rss.png")
