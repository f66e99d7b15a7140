"""A bar chart of the ember/PyTorch time ratios, with each target marked (matplotlib)."""


def plot_ratios(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    rows = [(name, r["ratio"], r.get("target")) for name, r in results["workloads"].items()
            if "ratio" in r]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(rows) + 1.5))
    names = [r[0] for r in rows]
    ratios = [r[1] for r in rows]
    colors = ["tab:green" if t is None or v <= t else "tab:red" for _, v, t in rows]
    ax.barh(names, ratios, color=colors)
    for i, (_, _, target) in enumerate(rows):
        if target is not None:
            ax.plot([target, target], [i - 0.4, i + 0.4], color="black", linewidth=2)
    ax.axvline(1.0, color="gray", linestyle="--", linewidth=1)
    ax.invert_yaxis()
    ax.set_xlabel("ember time / PyTorch time (lower is better; black bar = target)")
    # The machine line, wrapped so it fits above the bars.
    import textwrap
    ax.set_title("\n".join(textwrap.wrap(results["machine"], 90)), fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
