# A small CPRAformer that trains on a CPU in about 20 minutes (2 cores) on
# rain synthesised over scikit-image's photographs, and is tested on two
# held-out photos with fixed rain: the recipe of
# cpra_mm/weights/cpraformer_small_photos.pth.
#
#   python tools/prepare_builtin_photos.py
#   python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py
#   python tools/test.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-2000iter_builtin-photos.py \
#       work_dirs/cpraformer_small-corrected_1xb8-2000iter_builtin-photos/iter_2000.pth
_base_ = [
    './_base_/derain_restorer.py', '../_base_/datasets/builtin_photos_rain.py'
]

# The corrected layout needs no batch statistics, so small batches train.
model = dict(generator=dict(preset='small', layout='corrected'))

max_iters = 2_000
warmup_iters = 100

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)

optim_wrapper = dict(optimizer=dict(lr=1e-3))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-5),
]

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        interval=500, max_keep_ckpts=2, save_best='photos-val/PSNR'))

log_processor = dict(window_size=50)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
