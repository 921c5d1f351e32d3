"""The clean / rainy / derained comparison as numbers, a text table, a bar
chart and ``downstream_results.{json,txt,png}``."""
import json
import os
import os.path as osp
from typing import Any, Dict, Mapping, Optional

import numpy as np
from matplotlib.figure import Figure

from .downstream_modes import MODES
from .downstream_task import DownstreamTask

GAP_TOLERANCE = 1e-3
"""A clean-rainy gap below this share of the metric's full scale counts as
none (recovered share 'n/a')."""

MODE_COLOURS = {'clean': '#4c9a2a', 'rainy': '#7f7f7f', 'derained': '#1f77b4'}
"""Bar colour of each mode in the chart."""

Results = Mapping[str, Mapping[str, float]]
"""``{mode: {table metric name: value}}``."""


def table_metrics(metrics: Mapping[str, float], task: DownstreamTask,
                  mode: str) -> Dict[str, float]:
    """Pick the table's metrics from an evaluator's output (keys may carry a
    prefix such as ``coco/``).

    Raises:
        KeyError: naming the missing metric and the keys present.
    """
    by_name = {key.split('/')[-1]: value for key, value in metrics.items()}
    picked = {}
    for shown, key in task.metrics:
        if key not in by_name:
            raise KeyError(f'{mode}: the evaluator reported no {key!r}; got {sorted(metrics)}')
        picked[shown] = float(by_name[key])
    return picked


def summarise(results: Results, task: DownstreamTask) -> Dict[str, Dict[str, Optional[float]]]:
    """Gain (derained - rainy) and recovered share ((derained - rainy) /
    (clean - rainy)) per metric; None where a mode is missing, and a
    recovered share of None where the gap is below :data:`GAP_TOLERANCE` of
    full scale.

    Returns:
        ``{'gain': {metric: value}, 'recovered': {metric: value}}``.
    """
    gain: Dict[str, Optional[float]] = {}
    recovered: Dict[str, Optional[float]] = {}
    for name, _ in task.metrics:
        rainy = results.get('rainy', {}).get(name)
        derained = results.get('derained', {}).get(name)
        clean = results.get('clean', {}).get(name)
        gain[name] = None if rainy is None or derained is None else derained - rainy
        gap = None if clean is None or rainy is None else clean - rainy
        recovered[name] = (gain[name] / gap if gain[name] is not None and gap is not None
                           and abs(gap) >= GAP_TOLERANCE * task.full_scale else None)
    return {'gain': gain, 'recovered': recovered}


def average_draws(draws: Mapping[int, Results]) -> Dict[str, Dict[str, float]]:
    """Mean of each mode's metrics over several rain draws.

    Args:
        draws: ``{rain seed: {mode: {metric: value}}}``, every draw with the
            same modes and metrics.

    Returns:
        ``{mode: {metric: mean over the draws}}``.
    """
    first = next(iter(draws.values()))
    return {mode: {name: float(np.mean([draw[mode][name] for draw in draws.values()]))
                   for name in metrics} for mode, metrics in first.items()}


def format_table(results: Results, summary: Mapping[str, Mapping[str, Optional[float]]],
                 task: DownstreamTask,
                 draw_summaries: Optional[Mapping[int, Mapping[str, Mapping[str, Optional[float]]]]] = None
                 ) -> str:
    """The results, gain and recovered share as a fixed-width text table
    (3 decimals for COCO AP, 2 for IoU %); with ``draw_summaries``
    (``{rain seed: summarise() of that draw}``) one more row per draw gives
    that draw's recovered share."""
    names = [name for name, _ in task.metrics]
    digits = 3 if task.full_scale == 1.0 else 2

    def number(value: Optional[float], signed: bool = False) -> str:
        return 'n/a' if value is None else f'{value:{"+" if signed else ""}.{digits}f}'

    def share(value: Optional[float]) -> str:
        return 'n/a' if value is None else f'{100 * value:.1f}%'

    rows = [['mode'] + names]
    rows += [[mode] + [number(results[mode][n]) for n in names] for mode in MODES
             if mode in results]
    rows.append(['gain'] + [number(summary['gain'][n], signed=True) for n in names])
    rows.append(['recovered'] + [share(summary['recovered'][n]) for n in names])
    draw_rows = [[f'  seed {seed}'] + [share(draw['recovered'][n]) for n in names]
                 for seed, draw in (draw_summaries or {}).items()]
    widths = [max(len(row[i]) for row in rows + draw_rows) for i in range(len(rows[0]))]
    lines = ['  '.join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths)))
             for row in rows + draw_rows]
    rule = '-' * len(lines[0])
    lines.insert(1, rule)
    lines.insert(len(rows) - 1, rule)
    return '\n'.join(lines)


def plot_results(results: Results, task: DownstreamTask, title: str, path: str) -> None:
    """Save a grouped bar chart to ``path``: one group per metric, one bar
    per mode."""
    names = [name for name, _ in task.metrics]
    modes = [mode for mode in MODES if mode in results]
    fig = Figure(figsize=(2.6 + 1.6 * len(names), 3.6))
    ax = fig.subplots()
    width = 0.8 / len(modes)
    for i, mode in enumerate(modes):
        xs = np.arange(len(names)) + (i - (len(modes) - 1) / 2) * width
        bars = ax.bar(xs, [results[mode][n] for n in names], width, label=mode,
                      color=MODE_COLOURS[mode])
        ax.bar_label(bars, fmt='%.3f' if task.full_scale == 1.0 else '%.1f', fontsize=7)
    ax.set_xticks(np.arange(len(names)), names)
    ax.set_ylim(0, task.full_scale * 1.08)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8, loc='upper left', bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def write_report(out_dir: str, title: str, task: DownstreamTask, results: Results,
                 all_metrics: Results, run: Mapping[str, Any],
                 draws: Optional[Mapping[int, Results]] = None) -> str:
    """Write ``downstream_results.txt`` (title and table),
    ``downstream_results.json`` and the chart ``downstream_results.png`` to
    ``out_dir``.

    Args:
        out_dir: the output folder (created if missing).
        title: first line of the text file, title of the chart.
        task: the task evaluated.
        results: the table's metrics per mode.
        all_metrics: every metric the evaluator reported, per mode.
        run: what was evaluated (config, checkpoints, derainer, rain), put
            first in the JSON file.
        draws: with several rain draws, ``{rain seed: {mode: {metric:
            value}}}`` of each draw (``results`` then holds their means);
            each draw's gain and recovered share go in the table and, with
            its metrics, in the JSON file's ``draws``.

    Returns:
        The text file's content.
    """
    summary = summarise(results, task)
    draw_summaries = {seed: summarise(draw, task) for seed, draw in (draws or {}).items()}
    table = f'{title}\n{format_table(results, summary, task, draw_summaries)}\n'
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'downstream_results.txt'), 'w') as f:
        f.write(table)
    report = {'task': task.name, **run, 'metrics': results, **summary,
              'all_metrics': all_metrics}
    if draws:
        report['draws'] = [{'seed': seed, 'metrics': draw, **draw_summaries[seed]}
                           for seed, draw in draws.items()]
    with open(osp.join(out_dir, 'downstream_results.json'), 'w') as f:
        json.dump(report, f, indent=2)
    plot_results(results, task, title, osp.join(out_dir, 'downstream_results.png'))
    return table
