"""Tests of the per-image error counts behind ``tools/eval_downstream.py
--per-image`` (cpra_mm.apis.downstream_per_image), on hand-made samples."""
import csv
from pathlib import Path

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from mmseg.structures import SegDataSample

from cpra_mm.apis.downstream_per_image import (PerImageErrorHook, detection_errors,
                                               format_per_image, per_image_rows,
                                               segmentation_errors, write_per_image)
from cpra_mm.apis.downstream_task import TASKS


def _seg_sample(pred, truth, name='a.png') -> SegDataSample:
    sample = SegDataSample(metainfo=dict(img_path=f'/data/{name}'))
    sample.pred_sem_seg = PixelData(data=torch.tensor(pred)[None])
    sample.gt_sem_seg = PixelData(data=torch.tensor(truth)[None])
    return sample


def _det_sample(pred_boxes, scores, pred_labels, gt_boxes, gt_labels,
                name='a.png') -> DetDataSample:
    sample = DetDataSample(metainfo=dict(img_path=f'/data/{name}'))
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor(pred_boxes, dtype=torch.float32).view(-1, 4),
        scores=torch.tensor(scores, dtype=torch.float32),
        labels=torch.tensor(pred_labels, dtype=torch.long))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor(gt_boxes, dtype=torch.float32).view(-1, 4),
        labels=torch.tensor(gt_labels, dtype=torch.long))
    return sample


def test_segmentation_errors_count_wrong_labelled_pixels_only():
    sample = _seg_sample([[0, 1, 2], [2, 2, 0]], [[0, 2, 2], [255, 1, 0]])
    assert segmentation_errors(sample) == 2          # (0,1) and (1,1); (1,0) unlabelled
    assert segmentation_errors(sample, ignore_index=0) == 3


def test_segmentation_errors_reject_mismatched_sizes():
    with pytest.raises(ValueError, match='a.png'):
        segmentation_errors(_seg_sample([[0, 1]], [[0], [1]]))


def test_detection_errors_match_by_class_score_and_overlap():
    truth = [[0, 0, 10, 10], [20, 20, 30, 30], [40, 40, 50, 50]]
    sample = _det_sample(
        pred_boxes=[[0, 0, 10, 10],      # hit, class 0
                    [1, 1, 10, 10],      # duplicate of the first: false positive
                    [20, 20, 30, 30],    # right place, wrong class: false positive
                    [40, 40, 50, 50]],   # right, but scored below the threshold
        scores=[0.9, 0.8, 0.7, 0.1], pred_labels=[0, 0, 0, 2],
        gt_boxes=truth, gt_labels=[0, 1, 2])
    # misses: boxes 2 and 3; false positives: the duplicate and the wrong class
    assert detection_errors(sample, score_thr=0.3) == 4
    # with the low-scoring prediction counted, box 3 is found
    assert detection_errors(sample, score_thr=0.05) == 3


def test_detection_errors_need_the_iou_threshold():
    sample = _det_sample([[0, 0, 10, 5]], [0.9], [0], [[0, 0, 10, 10]], [0])
    assert detection_errors(sample, iou_thr=0.5) == 0   # IoU exactly 0.5
    assert detection_errors(sample, iou_thr=0.6) == 2


def test_detection_errors_without_predictions_or_truth():
    assert detection_errors(_det_sample([], [], [], [[0, 0, 4, 4]], [1])) == 1
    assert detection_errors(_det_sample([[0, 0, 4, 4]], [0.9], [1], [], [])) == 1


def test_hook_counts_every_sample_of_each_batch():
    hook = PerImageErrorHook(TASKS['mmseg'])
    hook.errors = {}
    hook.after_test_iter(None, 0, outputs=[_seg_sample([[1, 1]], [[1, 0]], 'b.png'),
                                           _seg_sample([[0, 0]], [[0, 0]], 'a.png')])
    hook.after_test_epoch(None)
    assert hook.errors == {'a.png': 0, 'b.png': 1}


def test_rows_sort_by_what_deraining_added_and_sum_draws(tmp_path: Path):
    errors = {'clean': {'a.png': 1, 'b.png': 2, 'c.png': 0},
              'rainy_seed0': {'a.png': 9, 'b.png': 3, 'c.png': 5},
              'rainy_seed1': {'a.png': 7, 'b.png': 3, 'c.png': 5},
              'derained_seed0': {'a.png': 2, 'b.png': 8, 'c.png': 5},
              'derained_seed1': {'a.png': 2, 'b.png': 4, 'c.png': 5}}
    rows = per_image_rows(errors)
    assert [(row['image'], row['change']) for row in rows] == [
        ('b.png', 6), ('c.png', 0), ('a.png', -12)]
    text = format_per_image(rows, TASKS['mmseg'], top=1)
    assert '1 of 3 images have more errors derained than rainy, 1 fewer' in text
    hurt, helped = text.split('helped most')
    assert 'b.png' in hurt and 'a.png' not in hurt and 'a.png' in helped
    write_per_image(str(tmp_path / 'rows.csv'), rows)
    with open(tmp_path / 'rows.csv') as file:
        read = list(csv.DictReader(file))
    assert read[0] == {'image': 'b.png', 'clean': '2', 'rainy_seed0': '3', 'rainy_seed1': '3',
                       'derained_seed0': '8', 'derained_seed1': '4', 'change': '6'}


def test_rows_without_a_derained_mode_have_no_change():
    rows = per_image_rows({'clean': {'a.png': 1}, 'rainy': {'a.png': 4}})
    assert rows == [{'image': 'a.png', 'clean': 1, 'rainy': 4, 'change': None}]
    assert 'of 0 images' in format_per_image(rows, TASKS['mmdet'])
