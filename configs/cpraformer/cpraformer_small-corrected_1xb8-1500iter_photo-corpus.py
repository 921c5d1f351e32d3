# The built-in derainer: CPRAformer small, corrected layout, trained on a CPU
# on the photo corpus with the broad training rain of
# configs/_base_/datasets/photo_corpus_rain.py (a quarter of the crops dry),
# starting from the first built-in model. One stage, 96 x 96 crops, EMA.
#
#   python tools/dataset_converters/prepare_photo_corpus.py
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py
#   python tools/analysis/heldout_derain_eval.py --checkpoint CKPT --config CFG
_base_ = [
    './_base_/derain_restorer.py', '../_base_/datasets/photo_corpus_rain.py'
]

default_scope = 'mmagic'

experiment_name = 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(preset='small', layout='corrected'))

load_from = 'cpra_mm/weights/cpraformer_small_photos.pth'  # the first built-in model

max_iters = 1_500
warmup_iters = 100

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=250)

optim_wrapper = dict(optimizer=dict(lr=5e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]

custom_hooks = [
    dict(type='EMAHook', ema_type='ExponentialMovingAverage', momentum=2e-3,
         priority='ABOVE_NORMAL'),
]

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(
        interval=125, max_keep_ckpts=2, save_best='photo-corpus-val/PSNR'))

log_processor = dict(window_size=50)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
