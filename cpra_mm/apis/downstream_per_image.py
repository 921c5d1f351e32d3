"""Per-image errors of a detector or segmenter during its test run, to find
the images deraining hurts or helps (``tools/eval_downstream.py
--per-image``).

A dataset metric (mAP, mIoU) says how much deraining buys overall, not where:
a derainer that fixes fifty images and breaks three shows only the net. The
:class:`PerImageErrorHook` counts each test image's errors as the Runner
tests it, with no extra inference:

* segmentation: labelled pixels whose predicted class is wrong;
* detection: ground-truth boxes no prediction of their class overlaps by
  ``iou_thr`` (misses) plus predictions matching no such box (false
  positives), predictions with a score below ``score_thr`` ignored, matched
  greedily by score as COCO does.
"""
import csv
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional, Sequence

import torch
from mmengine.dist import all_gather_object
from mmengine.hooks import Hook
from mmengine.structures import BaseDataElement

from .downstream_modes import MODES
from .downstream_task import DownstreamTask

Errors = Dict[str, int]
"""``{image file name: error count}``."""


def segmentation_errors(sample: BaseDataElement, ignore_index: int = 255) -> int:
    """Wrong pixels of one segmentation sample.

    Args:
        sample: a ``SegDataSample`` holding ``pred_sem_seg`` and
            ``gt_sem_seg`` (``1 x H x W`` class indices, same size).
        ignore_index: ground-truth value of unlabelled pixels, not counted.

    Returns:
        How many labelled pixels have another predicted class.
    """
    pred = sample.pred_sem_seg.data.squeeze(0)
    truth = sample.gt_sem_seg.data.squeeze(0).to(pred.device)
    if pred.shape != truth.shape:
        raise ValueError(f'{sample.metainfo.get("img_path")}: prediction {tuple(pred.shape)} '
                         f'and ground truth {tuple(truth.shape)} differ in size')
    labelled = truth != ignore_index
    return int((labelled & (pred != truth)).sum())


def detection_errors(sample: BaseDataElement, score_thr: float = 0.3,
                     iou_thr: float = 0.5) -> int:
    """Misses plus false positives of one detection sample.

    Predictions scoring at least ``score_thr`` are matched in falling score
    order, each to the unmatched ground-truth box of its class it overlaps
    most, if that IoU reaches ``iou_thr``.

    Args:
        sample: a ``DetDataSample`` holding ``pred_instances`` (``bboxes``
            ``N x 4``, ``scores``, ``labels``) and ``gt_instances``
            (``bboxes``, ``labels``), boxes in original-image pixels.
        score_thr: the lowest score of a counted prediction.
        iou_thr: the lowest IoU of a match.

    Returns:
        Unmatched ground-truth boxes plus unmatched kept predictions.
    """
    from mmdet.structures.bbox import bbox_overlaps  # the det side only
    predictions = sample.pred_instances
    keep = predictions.scores >= score_thr
    boxes = predictions.bboxes[keep].float()
    labels = predictions.labels[keep]
    order = predictions.scores[keep].argsort(descending=True)
    truth = sample.gt_instances
    truth_boxes = torch.as_tensor(truth.bboxes.tensor if hasattr(truth.bboxes, 'tensor')
                                  else truth.bboxes).float().to(boxes.device)
    truth_labels = truth.labels.to(labels.device)
    ious = bbox_overlaps(boxes, truth_boxes)
    ious[labels[:, None] != truth_labels[None, :]] = -1
    matched = torch.zeros(len(truth_boxes), dtype=torch.bool, device=boxes.device)
    hits = 0
    for index in order.tolist():
        candidates = ious[index].masked_fill(matched, -1)
        if len(candidates) and candidates.max() >= iou_thr:
            matched[candidates.argmax()] = True
            hits += 1
    return (len(truth_boxes) - hits) + (len(boxes) - hits)


class PerImageErrorHook(Hook):
    """Count each test image's errors as the Runner tests it.

    After ``runner.test()``, :attr:`errors` maps every test image's file
    name to its error count (:func:`segmentation_errors` or
    :func:`detection_errors`); under a distributed launcher every process
    holds all images' counts.

    Args:
        task: the downstream task (:func:`~cpra_mm.apis.downstream_task.detect_task`).
        score_thr, iou_thr: as for :func:`detection_errors` (detection only).
        ignore_index: as for :func:`segmentation_errors` (segmentation
            only); a test dataset with an ``ignore_index`` of its own (MMSeg's
            datasets) overrides it.
    """

    priority = 'LOW'

    def __init__(self, task: DownstreamTask, score_thr: float = 0.3, iou_thr: float = 0.5,
                 ignore_index: int = 255) -> None:
        self.task = task
        self.score_thr = score_thr
        self.iou_thr = iou_thr
        self.ignore_index = ignore_index
        self.errors: Errors = {}

    def before_test_epoch(self, runner) -> None:
        self.errors = {}
        self.ignore_index = getattr(runner.test_dataloader.dataset, 'ignore_index',
                                    self.ignore_index)

    def after_test_iter(self, runner, batch_idx: int, data_batch: Any = None,
                        outputs: Optional[Sequence[BaseDataElement]] = None) -> None:
        for sample in outputs or ():
            name = osp.basename(sample.metainfo['img_path'])
            if self.task.name == 'seg':
                self.errors[name] = segmentation_errors(sample, self.ignore_index)
            else:
                self.errors[name] = detection_errors(sample, self.score_thr, self.iou_thr)

    def after_test_epoch(self, runner, metrics: Optional[Dict[str, float]] = None) -> None:
        merged: Errors = {}
        for part in all_gather_object(self.errors):
            merged.update(part)
        self.errors = dict(sorted(merged.items()))


def error_unit(task: DownstreamTask) -> str:
    """What an error count counts, for headers."""
    return 'wrong pixels' if task.name == 'seg' else 'misses + false positives'


def per_image_rows(errors: Mapping[str, Errors]) -> List[Dict[str, Any]]:
    """One row per image with each mode's error count and the change
    deraining made (``derained - rainy``; negative: deraining helped),
    sorted by that change, most harmed first.

    Args:
        errors: ``{mode or mode_seed<N>: {image: count}}``; modes missing an
            image get None.

    Returns:
        Rows ``{'image', <each key of errors>..., 'change'}``; ``change`` is
        None unless the ``rainy`` and ``derained`` counts (or, with several
        rain draws, their sums over the draws) exist.
    """
    images = sorted({name for counts in errors.values() for name in counts})
    rows = []
    for name in images:
        row: Dict[str, Any] = {'image': name}
        row.update({key: counts.get(name) for key, counts in errors.items()})
        totals = {mode: [value for key, value in row.items()
                         if key.split('_seed')[0] == mode and value is not None]
                  for mode in ('rainy', 'derained')}
        row['change'] = (sum(totals['derained']) - sum(totals['rainy'])
                         if totals['rainy'] and totals['derained'] else None)
        rows.append(row)
    return sorted(rows, key=lambda row: (row['change'] is None, -(row['change'] or 0),
                                         row['image']))


def write_per_image(path: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Write :func:`per_image_rows` as CSV (empty cells for None)."""
    columns = list(rows[0]) if rows else ['image', 'change']
    with open(path, 'w', newline='') as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        writer.writerows({key: '' if value is None else value for key, value in row.items()}
                         for row in rows)


def format_per_image(rows: Sequence[Mapping[str, Any]], task: DownstreamTask,
                     top: int = 5) -> str:
    """The ``top`` images deraining hurt most and helped most, as a text
    table (one column per mode key of the rows, then the change)."""
    keys = [key for key in (rows[0] if rows else {}) if key not in ('image', 'change')]
    keys.sort(key=lambda key: (MODES.index(key.split('_seed')[0]), key))
    width = max([len('image')] + [len(row['image']) for row in rows])
    header = f'{"image":<{width}}' + ''.join(f'{key:>14}' for key in keys) + f'{"change":>10}'

    def line(row: Mapping[str, Any]) -> str:
        cells = ''.join(f'{"-" if row[key] is None else row[key]:>14}' for key in keys)
        return f'{row["image"]:<{width}}{cells}{row["change"]:>+10d}'

    changed = [row for row in rows if row['change'] is not None]
    hurt = [row for row in changed if row['change'] > 0][:top]
    helped = [row for row in reversed(changed) if row['change'] < 0][:top]
    parts = [f'per-image errors ({error_unit(task)}); change = derained - rainy',
             f'{sum(row["change"] > 0 for row in changed)} of {len(changed)} '
             f'images have more errors derained than rainy, '
             f'{sum(row["change"] < 0 for row in changed)} fewer']
    for title, chosen in (('hurt most by deraining', hurt), ('helped most', helped)):
        if chosen:
            parts += ['', title, header, '-' * len(header)] + [line(row) for row in chosen]
    return '\n'.join(parts)
