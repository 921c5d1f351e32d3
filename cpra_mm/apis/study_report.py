"""The downstream study's results as ``study_results.json`` (the mean over
training seeds), a text table (with the spread over seeds when there are
several) and a bar chart."""
import json
import os
import os.path as osp
from typing import Dict, List, Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from .study_plan import ROWS, STUDY_TASKS, TEST_SETS

Measured = Mapping[str, Mapping[str, Mapping[str, Sequence[float]]]]
"""``{task: {row: {test set: [value per training seed]}}}``; a row that is
not trained has one value."""

TEST_SET_COLOURS = {'rainy': '#1f77b4', 'clean': '#4c9a2a'}
"""Bar colour of each test set in the chart."""

FILES = ('study_results.json', 'study_results.txt', 'study_results.png')
"""What :func:`write_study_report` writes."""


MEAN_DECIMALS = 6
"""Decimals kept of a mean over seeds in the JSON (the metrics themselves
have three for mAP, two for mIoU; this drops only float noise)."""


def mean_results(measured: Measured) -> Dict[str, Dict[str, Dict[str, float]]]:
    """``{task: {row: {test set: mean over seeds}}}``: the content of
    ``study_results.json``.

    Raises:
        ValueError: naming the task, row and test set without a value.
    """
    results: Dict[str, Dict[str, Dict[str, float]]] = {}
    for task, rows in measured.items():
        for row, tests in rows.items():
            for test, values in tests.items():
                if not values:
                    raise ValueError(f'{task} {row} {test}: no value measured')
                results.setdefault(task, {}).setdefault(row, {})[test] = round(
                    float(np.mean(values)), MEAN_DECIMALS)
    return results


def spread(values: Sequence[float]) -> float:
    """Largest minus smallest value (0 for one value)."""
    return float(max(values) - min(values))


def format_study_table(measured: Measured, header: str) -> str:
    """One fixed-width table per task: a line per row, a column per test
    set (the task's decimals); with several seeds a row's
    trained values show as ``mean (spread)``.

    Args:
        measured: the values (:data:`Measured`), tasks and rows in table
            order.
        header: the first line(s).
    """
    blocks = [header]
    for task, rows in measured.items():
        metric, digits = STUDY_TASKS[task].metric[0], STUDY_TASKS[task].digits
        several = any(len(values) > 1 for tests in rows.values() for values in tests.values())

        def cell(values: Sequence[float]) -> str:
            text = f'{np.mean(values):.{digits}f}'
            if several:
                text += f' ({spread(values):.{digits}f})' if len(values) > 1 else ' ' * (
                    digits + 5)
            return text

        names = [row for row in ROWS if row in rows]
        lines = [[f'{task} ({STUDY_TASKS[task].model}, {metric})', *TEST_SETS]]
        lines += [[row, *(cell(rows[row][test]) for test in TEST_SETS)] for row in names]
        widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
        text = ['  '.join(c.ljust(w) if i == 0 else c.rjust(w)
                          for i, (c, w) in enumerate(zip(line, widths))) for line in lines]
        text.insert(1, '-' * len(text[0]))
        blocks.append('\n'.join(text))
    if any(len(values) > 1 for rows in measured.values() for tests in rows.values()
           for values in tests.values()):
        blocks.append('(in brackets: largest minus smallest value over the training seeds)')
    return '\n\n'.join(blocks)


def plot_study(measured: Measured, title: str, path: str) -> None:
    """Save a chart to ``path``: one panel per task, the rows along x, a
    marker per test set at the mean, error bars spanning the seeds' range
    when there are several seeds (the y axis is zoomed to the values, so
    markers rather than bars)."""
    tasks = list(measured)
    fig = Figure(figsize=(5.2 * len(tasks), 4.2))
    axes = np.atleast_1d(fig.subplots(1, len(tasks)))
    for ax, task in zip(axes, tasks):
        rows = [row for row in ROWS if row in measured[task]]
        metric, digits = STUDY_TASKS[task].metric[0], STUDY_TASKS[task].digits
        for i, test in enumerate(TEST_SETS):
            values: List[Sequence[float]] = [measured[task][row][test] for row in rows]
            means = np.array([np.mean(v) for v in values])
            several = any(len(v) > 1 for v in values)
            error = np.array([[means[j] - min(v), max(v) - means[j]]
                              for j, v in enumerate(values)]).T if several else None
            xs = np.arange(len(rows)) + (i - (len(TEST_SETS) - 1) / 2) * 0.2
            ax.errorbar(xs, means, yerr=error, fmt='o', capsize=3, label=test,
                        color=TEST_SET_COLOURS[test])
            for x, mean in zip(xs, means):
                ax.annotate(f'{mean:.{digits}f}', (x, mean), textcoords='offset points',
                            xytext=(0, 6), ha='center', fontsize=7)
        ax.margins(y=0.15)
        ax.set_xticks(np.arange(len(rows)), rows, rotation=20, ha='right', fontsize=8)
        ax.set_ylabel(metric)
        ax.grid(axis='y', alpha=0.3)
        ax.set_title(f'{task} ({STUDY_TASKS[task].model})', fontsize=9)
        ax.legend(fontsize=8, title='test images', title_fontsize=8, loc='best')
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def write_study_report(out_dir: str, measured: Measured, header: str, title: str) -> str:
    """Write :data:`FILES` to ``out_dir`` (created if missing):
    ``study_results.json`` (:func:`mean_results`), ``study_results.txt``
    (:func:`format_study_table`) and the chart ``study_results.png``.

    Args:
        out_dir: the output folder.
        measured: the values (:data:`Measured`).
        header: the text table's first line(s).
        title: the chart's title.

    Returns:
        The text table.
    """
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, FILES[0]), 'w') as f:
        json.dump(mean_results(measured), f, indent=2)
    table = format_study_table(measured, header) + '\n'
    with open(osp.join(out_dir, FILES[1]), 'w') as f:
        f.write(table)
    plot_study(measured, title, osp.join(out_dir, FILES[2]))
    return table
