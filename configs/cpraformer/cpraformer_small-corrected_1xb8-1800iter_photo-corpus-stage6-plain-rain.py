# A sixth stage for the built-in derainer: stage five
# (cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry.py)
# continued for 1,800 iterations at lr 1e-4 on 96 x 96 crops, with a third
# source of samples: plain rain.
# The broad training rain blurs the streaks (sigma 0-1.5), greys them,
# adds lens drops, and passes three quarters of its rainy crops through
# sensor noise or JPEG, so sharp white streaks on an otherwise untouched
# image, the rain AddRain draws with its defaults and the rain of every
# rainy chain config and of the demo, are a thin corner of it. Here 41 %
# of the samples are the training photographs under plain rain: sharp (no
# blur), white or nearly so, screen or additive, one to three layers, no
# haze, no drops, no sensor noise, no JPEG, a fifth of them dry. Its ranges
# contain AddRain's defaults and stay inside the broad rain's angle range
# and blends, so the held-out test's rain (other angles, alpha blend) is
# still outside everything trained on. The other samples are stage five's
# two sources (broad rain at 45 % dry; the mined hard dry photographs at
# 50 % dry).
# Ran in 48 min with two threads on the development machine (2026-11-30,
# 17:35-18:23 UTC, 1.25-1.8 s per iteration). Result (cpra_mm/weights/README.md):
# the built-in derainer since then.
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_1800.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1800iter_photo-corpus-stage6-plain-rain'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage5-hard-dry.pth'

plain_rain = dict(
    density=(5.0, 60.0),
    length=(8.0, 50.0),
    angle=(-30.0, 30.0),
    width=(0.6, 2.5),
    intensity=(0.2, 0.8),
    layers=(1, 3),
    streak_colour=(0.9, 1.0),
    blend=('screen', 'additive'),
    dry_prob=0.2)
broad_photos, hard_dry_photos = _base_.train_dataloader.dataset.datasets
plain_rain_pipeline = [
    dict(type='AddRain', src_key='gt', dst_key='img', seed=None, **plain_rain)
    if step['type'] == 'AddRain' else step
    for step in broad_photos.pipeline
]
train_dataloader = dict(
    dataset=dict(datasets=[
        broad_photos,
        hard_dry_photos,
        dict(broad_photos, pipeline=plain_rain_pipeline),
    ]))

max_iters = 1_800
warmup_iters = 50
train_cfg = dict(max_iters=max_iters, val_interval=300)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExponentialMovingAverage', momentum=2e-3,
         begin_iter=50, priority='ABOVE_NORMAL'),
]
default_hooks = dict(checkpoint=dict(interval=150))
