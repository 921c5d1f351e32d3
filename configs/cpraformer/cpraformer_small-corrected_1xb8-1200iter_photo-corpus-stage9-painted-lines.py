# A ninth stage for the built-in derainer: stage six
# (cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain.py)
# continued for 1,200 iterations at lr 1e-4 with a fourth source of samples,
# 29 % of them: the training photographs with regular line patterns (80 % of
# them; gratings or grids within 45 degrees of vertical, half of them light
# grey to white lines over a darker ground, the colour of rain) and up to
# three flat-coloured shapes painted on (PaintGraphics), under stage six's
# plain rain, half of them dry. Stage six takes evenly spaced bright lines
# near vertical for rain and erases them (a dry upright grating: 12-20 dB),
# and streak alignment turns slanted regular structure upright before the
# network sees it (tools/analysis/streak_angle_sweep.py, "alignment forced"
# column). Shares: broad rain 29 %, hard dry 12 %, plain rain 29 %,
# painted 29 %.
# Ran in 41 min with two threads on the development machine (AMD EPYC,
# 2026-12-01, 03:47-04:28 UTC, 1.4-2.0 s per iteration). Results in
# cpra_mm/weights/README.md (stage nine).
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_1200.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage9-painted-lines'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain.pth'

from cpra_mm.utils.pipeline_edit import insert_before  # noqa: E402

broad_photos, hard_dry_photos, plain_rain_photos = _base_.train_dataloader.dataset.datasets
painted = dict(type='PaintGraphics', key='gt', num_shapes=(0, 3), pattern_prob=0.8,
               pattern_angle=(-45.0, 45.0), bright_line_prob=0.5)
painted_pipeline = insert_before(plain_rain_photos.pipeline, 'AddRain', painted, dry_prob=0.5)
train_dataloader = dict(
    dataset=dict(datasets=[
        broad_photos,
        hard_dry_photos,
        plain_rain_photos,
        dict(plain_rain_photos, pipeline=painted_pipeline),
    ]))

max_iters = 1_200
warmup_iters = 50
train_cfg = dict(max_iters=max_iters, val_interval=300)
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
