# A tenth stage for the built-in derainer: stage nine
# (cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines.py)
# continued for 1,200 iterations at lr 1e-4 with a fifth source of samples:
# the training photographs with one to four flat-coloured shapes painted on
# (PaintGraphics, no line patterns) under stage six's plain rain. Stage
# nine leaves faint streak marks and a light veil on flat coloured regions
# under dense rain, which blurs the edges a detector or segmenter needs
# (development set data/demo_shapes_seed7, configs/demo/README.md).
# Shares: broad rain 22 %, hard dry 10 %, plain rain 22 %, painted lines
# 22 %, painted shapes 22 %.
# A negative result, not shipped: 41 min with two threads (AMD EPYC,
# 2026-12-01, 05:39-06:20 UTC); held-out derain() +4.54 dB but 2 / 53
# photographs 0.01 dB worse than their rainy input, dry worst 41.00 dB;
# demo three draws 70.9 % (det mAP) and 67.6 % (seg mIoU) recovered, stage
# nine 67.7 % and 68.2 % (cpra_mm/weights/README.md, "Stage ten").
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage10-painted-shapes.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_1200.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage10-painted-shapes'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines.pth'

from cpra_mm.utils.pipeline_edit import insert_before  # noqa: E402

broad_photos, hard_dry_photos, plain_rain_photos, painted_lines = \
    _base_.train_dataloader.dataset.datasets
shapes = dict(type='PaintGraphics', key='gt', num_shapes=(1, 4), pattern_prob=0.0)
shapes_pipeline = insert_before(plain_rain_photos.pipeline, 'AddRain', shapes)
train_dataloader = dict(
    dataset=dict(datasets=[
        broad_photos,
        hard_dry_photos,
        plain_rain_photos,
        painted_lines,
        dict(plain_rain_photos, pipeline=shapes_pipeline),
    ]))
