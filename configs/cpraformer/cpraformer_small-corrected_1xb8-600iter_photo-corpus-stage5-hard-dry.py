# A fifth stage for the built-in derainer: stage four
# (cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.py)
# continued with hard-example mining of dry scenery, for 600 iterations at
# lr 5e-5 on 96 x 96 crops.
# Stages three and four alter two training photographs of bright thin
# near-vertical strands (brooms, goat hair) below 32 dB when they are dry:
# the network takes the strands for rain. Here 29 % of the
# samples come from the photographs stage four alters most: its dry scan of
# the training photographs, mined into meta/train_hard_dry.txt (34
# photographs below 50 dB, each repeated once per 2 dB below: 109 lines
# beside the 263 of meta/train.txt), and half of those
# samples are dry, half rainy, so that the network sees the same strands
# with and without rain. The other samples are stage four's (45 % dry).
# Ran in 19 min with two threads on the development machine (2026-11-30,
# 15:46-16:05 UTC, 1.5-2.2 s per iteration). Result (cpra_mm/weights/README.md):
# the mined photographs mended (brooms 25.06 -> 31.67 dB, goat hair
# 29.91 -> 37.41 dB dry), the held-out set left more alone (dry mean 55.78
# against 54.30 dB, gain +4.69 dB), but the held-out pyramid only from
# 29.09 to 29.99 dB and the demo detector's share lower (64.5 % against
# 67.0 % over three draws), so it ships beside the default.
#
#   python tools/analysis/streak_angle_sweep.py --dry-only \
#       --checkpoint cpra_mm/weights/cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.pth \
#       --out-dir outputs/dry_scan_stage4_all
#   python tools/dataset_converters/mine_hard_dry_photos.py \
#       outputs/dry_scan_stage4_all/streak_angle_sweep.json \
#       --train-list data/photo_corpus/meta/train.txt \
#       --out data/photo_corpus/meta/train_hard_dry.txt
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry.py
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.pth'

crop_size = 96
photo_pipeline = [
    dict(step, crop_size=(crop_size, crop_size)) if step['type'] == 'Crop' else step
    for step in _base_.train_dataloader.dataset.pipeline
]
hard_dry_pipeline = [
    dict(step, dry_prob=0.5) if step['type'] == 'AddRain' else step
    for step in photo_pipeline
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(_base_.train_dataloader.dataset, pipeline=photo_pipeline),
            dict(_base_.train_dataloader.dataset, ann_file='meta/train_hard_dry.txt',
                 pipeline=hard_dry_pipeline),
        ]))

max_iters = 600
warmup_iters = 30
train_cfg = dict(max_iters=max_iters, val_interval=150)
optim_wrapper = dict(optimizer=dict(lr=5e-5))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExponentialMovingAverage', momentum=2e-3,
         begin_iter=30, priority='ABOVE_NORMAL'),
]
default_hooks = dict(checkpoint=dict(interval=75))
