"""What the prompt gates learned: the K each block keeps, per image, on the
held-out photographs, rainy and dry.

Each CPRAformer block keeps the top K of the ``c`` channel-attention logits
of every row, K chosen per image by its prompt gate
(:class:`~cpra_mm.models.layers.PromptGuidedTopK`; the paper's "dynamic
sparsity"). This tool runs a derainer on the ``test`` photographs of the
photo corpus, centre-cropped to ``--size``, once with the held-out rain of
``tools/analysis/heldout_derain_eval.py`` (same rain for the same
``--seed``) and once dry, records K with
:func:`cpra_mm.utils.topk_statistics.gate_choices`, and writes to
``--out-dir``:

* ``gate_statistics.md``: per gate, K over the images (min, median, max of
  the rainy and of the dry images), K as a share of ``c`` (mean and
  standard deviation), how many distinct K the gate picks, the share of
  images off its most common K, and the mean K change that rain causes;
  then a plain verdict on whether K varies with the image;
* ``gate_statistics.json``: the same, plus K and the unrounded gate mean of
  every image and gate;
* ``gate_statistics.png``: a histogram of K / c per gate, rainy and dry.

Example::

    OMP_NUM_THREADS=1 python tools/analysis/gate_statistics.py   # the built-in model
    OMP_NUM_THREADS=1 python tools/analysis/gate_statistics.py --config CFG \\
        --checkpoint work_dirs/layout_ablation/corrected/iter_480.pth \\
        --out-dir outputs/gate_statistics_corrected
"""
import argparse
import json
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import cv2
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_derain_eval import (add_heldout_arguments, centre_crop, heldout_photos,  # noqa: E402
                                 heldout_rain)

from cpra_mm.apis import BUILTIN_CHECKPOINT, init_derainer  # noqa: E402
from cpra_mm.utils.topk_statistics import gate_choices  # noqa: E402

CONDITIONS = ('rainy', 'dry')
MAX_TICKS = 6
"""At most this many K values are labelled under a histogram."""
GATE_SUFFIX = '.attn.spc.topk'
"""Dropped from gate names in the tables: the rest names the block."""


@dataclass(frozen=True)
class GateRecord:
    """K of every gate on every image, rainy and dry.

    Attributes:
        images: the photographs' names (``<source>/<file>``), N of them.
        gates: the gates' block names, G of them.
        row_lengths: ``c`` of each gate (the largest K).
        k: ``{'rainy' | 'dry': N x G int array}``.
        gate_mean: ``{'rainy' | 'dry': N x G float array}``, the unrounded
            ``K / c`` (before ``floor`` and clamping).
    """
    images: List[str]
    gates: List[str]
    row_lengths: List[int]
    k: Dict[str, np.ndarray]
    gate_mean: Dict[str, np.ndarray]


def block_name(gate: str) -> str:
    """The block a gate belongs to: ``'latent.1.attn.spc.topk'`` ->
    ``'latent.1'``."""
    return gate[:-len(GATE_SUFFIX)] if gate.endswith(GATE_SUFFIX) else gate


def record_gates(model: torch.nn.Module, photos: Sequence[Path], size: int,
                 seed: int) -> GateRecord:
    """Run ``model`` on each photograph with its held-out rain and dry.

    Args:
        model: a CPRAformer (``B x 3 x H x W`` in [0, 1]), on the CPU.
        photos: the test photographs (``corpus/images/<source>/<file>``).
        size: side of the centre crop.
        seed: seed of the held-out rain.
    """
    names, k_rows, mean_rows = [], {c: [] for c in CONDITIONS}, {c: [] for c in CONDITIONS}
    gates, row_lengths = [], []
    for index, path in enumerate(photos):
        clean = centre_crop(cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_COLOR),
                                         cv2.COLOR_BGR2RGB), size)
        name = path.relative_to(path.parents[1]).as_posix()
        pair = np.stack([heldout_rain(clean, index, name, seed), clean])
        batch = torch.from_numpy(pair).permute(0, 3, 1, 2).float().div(255)
        choices = gate_choices(model, batch)
        gates = [block_name(choice.gate) for choice in choices]
        row_lengths = [choice.row_length for choice in choices]
        for row, condition in enumerate(CONDITIONS):
            k_rows[condition].append([int(choice.k[row]) for choice in choices])
            mean_rows[condition].append([float(choice.gate_mean[row]) for choice in choices])
        names.append(name)
        print(f'[{index + 1}/{len(photos)}] {name}: K rainy {k_rows["rainy"][-1]}, '
              f'dry {k_rows["dry"][-1]}', flush=True)
    return GateRecord(names, gates, row_lengths,
                      {c: np.array(k_rows[c], dtype=np.int64) for c in CONDITIONS},
                      {c: np.array(mean_rows[c], dtype=np.float64) for c in CONDITIONS})


def summarise(record: GateRecord) -> List[dict]:
    """Per gate: K statistics of the rainy and the dry images, distinct K,
    share of images off the most common K (rainy and dry together), mean K
    change from dry to rainy, and the spread of the unrounded gate mean."""
    rows = []
    for column, (gate, c) in enumerate(zip(record.gates, record.row_lengths)):
        k = {cond: record.k[cond][:, column] for cond in CONDITIONS}
        both = np.concatenate([k['rainy'], k['dry']])
        mode = Counter(both.tolist()).most_common(1)[0][0]
        row = {'gate': gate, 'row_length': c, 'distinct_k': int(len(np.unique(both))),
               'k_spread': int(both.max() - both.min()),
               'off_mode_share': float(np.mean(both != mode)), 'most_common_k': int(mode),
               'rain_k_change': float(np.mean(k['rainy'] - k['dry'])),
               'gate_mean_std': float(np.std(np.concatenate(
                   [record.gate_mean[cond][:, column] for cond in CONDITIONS])))}
        for cond in CONDITIONS:
            row[cond] = {'k_min': int(k[cond].min()), 'k_median': float(np.median(k[cond])),
                         'k_max': int(k[cond].max()), 'share_mean': float(np.mean(k[cond] / c)),
                         'share_std': float(np.std(k[cond] / c))}
        rows.append(row)
    return rows


def verdict(summary: List[dict], images: int) -> str:
    """A plain statement of whether, and how much, K varies with the image."""
    varying = [row for row in summary if row['distinct_k'] > 1]
    shares = [row[cond]['share_mean'] for row in summary for cond in CONDITIONS]
    if not varying:
        return (f'K does not vary with the image: each of the {len(summary)} gates picks one '
                f'K for all {images} photographs, rainy and dry (K / c between '
                f'{min(shares):.2f} and {max(shares):.2f} across the gates).')
    widest = max(varying, key=lambda row: (row['k_spread'] / row['row_length'],
                                           row['off_mode_share']))
    low = min(widest['rainy']['k_min'], widest['dry']['k_min'])
    high = max(widest['rainy']['k_max'], widest['dry']['k_max'])
    c = widest['row_length']
    spread = max(row['k_spread'] for row in summary)
    distinct = max(row['distinct_k'] for row in summary)
    deviation = max(row['gate_mean_std'] for row in summary)
    text = (f'K varies with the image in {len(varying)} of {len(summary)} gates, by at most '
            f'{spread} between the images in one gate (at most {distinct} distinct values; '
            'the unrounded K / c '
            f'has a standard deviation of at most {deviation:.3f} over the images), around '
            'a share of the row that each gate keeps: K / c between '
            f'{min(shares):.2f} and {max(shares):.2f} across the gates. The widest range: '
            f'{widest["gate"]} keeps K = {low} to {high} of c = {c} ({low / c:.0%} to '
            f'{high / c:.0%}); {widest["off_mode_share"]:.0%} of its {2 * images} images '
            '(rainy and dry) differ from its most common K. The median share of images off '
            'a gate\'s most common K is '
            f'{float(np.median([row["off_mode_share"] for row in summary])):.0%}. ')
    shifted = [row for row in summary if abs(row['rain_k_change']) >= 0.5]
    if shifted:
        largest = max(shifted, key=lambda row: abs(row['rain_k_change']))
        text += (f'Rain changes the mean K by 0.5 or more in {len(shifted)} of {len(summary)} '
                 f'gates (most: {largest["gate"]}, {largest["rain_k_change"]:+.2f} of '
                 f'c = {largest["row_length"]}).')
    else:
        text += 'Rain changes no gate\'s mean K by 0.5 or more.'
    return text


def markdown(summary: List[dict], statement: str, source: str, images: int) -> str:
    """The per-gate table and the verdict as Markdown."""
    def k_range(stats: dict) -> str:
        return f"{stats['k_min']}-{stats['k_median']:g}-{stats['k_max']}"

    def share(stats: dict) -> str:
        return f"{stats['share_mean']:.3f} ± {stats['share_std']:.3f}"

    lines = [f'Gates of {source} on {images} held-out photographs, rainy and dry.', '',
             '| gate | c | K rainy (min-median-max) | K/c rainy (mean ± sd) '
             '| K dry (min-median-max) | K/c dry (mean ± sd) | distinct K '
             '| images off the most common K | mean K change, rainy - dry '
             '| sd of the unrounded K/c |',
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for row in summary:
        lines.append(f"| {row['gate']} | {row['row_length']} | {k_range(row['rainy'])} | "
                     f"{share(row['rainy'])} | {k_range(row['dry'])} | {share(row['dry'])} | "
                     f"{row['distinct_k']} | {row['off_mode_share']:.0%} | "
                     f"{row['rain_k_change']:+.2f} | {row['gate_mean_std']:.4f} |")
    return '\n'.join(lines + ['', statement]) + '\n'


def histogram(record: GateRecord, target: Path, title: str) -> None:
    """Write one histogram of K / c per gate, rainy and dry bars side by
    side, to ``target`` (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    columns = min(4, len(record.gates))
    rows = math.ceil(len(record.gates) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 2.4 * rows),
                                squeeze=False)
    for column, (gate, c) in enumerate(zip(record.gates, record.row_lengths)):
        axis = axes.flat[column]
        values = np.concatenate([record.k[cond][:, column] for cond in CONDITIONS])
        ks = np.arange(values.min(), values.max() + 1)
        for offset, cond in zip((-0.2, 0.2), CONDITIONS):
            counts = [int(np.sum(record.k[cond][:, column] == k)) for k in ks]
            axis.bar((ks + offset) / c, counts, width=0.4 / c, label=cond)
        axis.set_xlim((ks[0] - 1) / c, (ks[-1] + 1) / c)
        ticks = ks[::math.ceil(len(ks) / MAX_TICKS)]
        axis.set_xticks(ticks / c, [f'{k / c:.2f}\n{k}' for k in ticks])
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(f'{gate} (c = {c})', fontsize=9)
        axis.set_xlabel('K / c (K)', fontsize=8)
        axis.tick_params(labelsize=7)
    for axis in axes.flat[len(record.gates):]:
        axis.axis('off')
    axes.flat[0].set_ylabel('images', fontsize=8)
    axes.flat[0].legend(fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(target, dpi=110)
    plt.close(figure)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    add_heldout_arguments(parser, Path('outputs/gate_statistics'))
    args = parser.parse_args(argv)
    photos = heldout_photos(args)
    if not photos:
        return 2
    model = init_derainer(args.config, args.checkpoint)
    record = record_gates(model, photos, args.size, args.seed)
    summary = summarise(record)
    statement = verdict(summary, len(photos))
    network = getattr(model, 'config', {})
    checkpoint = args.checkpoint or f'the built-in model ({BUILTIN_CHECKPOINT.name})'
    source = f"{checkpoint} (topk_estimator={network.get('topk_estimator', '?')!r})"
    args.out_dir.mkdir(parents=True, exist_ok=True)
    report = {'checkpoint': checkpoint, 'network': network, 'size': args.size, 'seed': args.seed,
              'images': record.images, 'gates': record.gates,
              'row_lengths': record.row_lengths, 'summary': summary, 'verdict': statement,
              'k': {cond: record.k[cond].tolist() for cond in CONDITIONS},
              'gate_mean': {cond: record.gate_mean[cond].tolist() for cond in CONDITIONS}}
    (args.out_dir / 'gate_statistics.json').write_text(json.dumps(report, indent=2))
    table = markdown(summary, statement, source, len(photos))
    (args.out_dir / 'gate_statistics.md').write_text(table)
    histogram(record, args.out_dir / 'gate_statistics.png',
              f'K / c per gate, {len(photos)} held-out photographs: '
              f'{Path(args.checkpoint or BUILTIN_CHECKPOINT).name}')
    print(table)
    return 0


if __name__ == '__main__':
    sys.exit(main())
