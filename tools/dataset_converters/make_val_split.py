"""Hold out a validation slice of a training set, for checkpoint selection.

Reads a dataset config (e.g. ``configs/_base_/datasets/rain13k.py``),
lists the pairs of its ``train_dataloader`` dataset as MMagic's
``BasicImageDataset`` sees them without an annotation file, draws
``--num-val`` of them with a fixed seed and writes two annotation files:
the train dataloader's ``ann_file`` (the remaining pairs) and the val
dataloader's ``ann_file`` (the drawn ones), both relative to the
dataset's ``data_root``. One line per pair: its key plus file extension,
e.g. ``1045.jpg`` (the format ``BasicImageDataset`` reads back).

Example:
    python tools/dataset_converters/make_val_split.py \
        configs/_base_/datasets/rain13k.py --num-val 100 --seed 0
"""
import cpra_mm  # noqa: F401  (first: numpy compatibility shims)

import argparse
import os
import os.path as osp
import random
from typing import List, Optional, Tuple

from mmagic.datasets import BasicImageDataset
from mmengine.config import Config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write meta/train.txt and meta/val.txt for a dataset '
        'config.')
    parser.add_argument('config', help='dataset (or model) config file')
    parser.add_argument('--num-val', type=int, default=100,
                        help='pairs to hold out (default 100)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the draw (default 0)')
    parser.add_argument('--data-root', help='override the datasets\' '
                        'data_root')
    return parser.parse_args()


def list_pairs(dataset_cfg: dict, data_root: Optional[str]) -> List[str]:
    """Annotation lines (key + extension) of every pair of a folder dataset.

    Args:
        dataset_cfg: a ``BasicImageDataset`` config; its ``ann_file`` and
            ``pipeline`` are ignored.
        data_root: replaces ``dataset_cfg['data_root']`` when given.

    Returns:
        Sorted lines such as ``'1045.jpg'``.
    """
    kwargs = {k: v for k, v in dataset_cfg.items()
              if k not in ('type', 'ann_file', 'pipeline')}
    if data_root is not None:
        kwargs['data_root'] = data_root
    dataset = BasicImageDataset(ann_file='', pipeline=[], **kwargs)
    lines = []
    for index in range(len(dataset)):
        item = dataset.get_data_info(index)
        ext = osp.splitext(item[f'{dataset.search_key}_path'])[1]
        lines.append(item['key'] + ext)
    return sorted(lines)


def split(lines: List[str], num_val: int, seed: int) -> Tuple[List[str], List[str]]:
    """Draw ``num_val`` lines for validation; return (train, val), sorted."""
    if not 0 < num_val < len(lines):
        raise ValueError(f'--num-val must be in [1, {len(lines) - 1}] for '
                         f'{len(lines)} pairs, got {num_val}')
    chosen = set(random.Random(seed).sample(lines, num_val))
    train = [line for line in lines if line not in chosen]
    return train, sorted(chosen)


def write_lines(path: str, lines: List[str]) -> None:
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    train_ds = cfg.train_dataloader.dataset
    val_ds = cfg.val_dataloader.dataset
    root = args.data_root or train_ds.data_root
    lines = list_pairs(train_ds, args.data_root)
    if not lines:
        raise FileNotFoundError(f'no image pairs found under {root} with '
                                f'data_prefix {dict(train_ds.data_prefix)}')
    train, val = split(lines, args.num_val, args.seed)
    train_file = osp.join(root, train_ds.ann_file)
    val_file = osp.join(args.data_root or val_ds.data_root, val_ds.ann_file)
    write_lines(train_file, train)
    write_lines(val_file, val)
    print(f'{len(train)} training pairs -> {train_file}')
    print(f'{len(val)} validation pairs -> {val_file}')


if __name__ == '__main__':
    main()
