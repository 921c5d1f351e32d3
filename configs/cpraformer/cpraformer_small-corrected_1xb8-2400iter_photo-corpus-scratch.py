# The built-in derainer's recipe trained from scratch: the second stage's
# rain (35 % dry crops, light and even haze) from the first iteration, for
# 2,400 iterations (about two hours on one CPU core). The staged models
# start from the first built-in model, trained on five photographs; the
# `fast` preset, trained from random weights on the same corpus, gained
# more on the held-out set than `small` continued from that model, so this
# run asks whether `small` does too.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/analysis/heldout_derain_eval.py --checkpoint CKPT --config CFG
_base_ = ['./cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2.py']

experiment_name = 'cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch'
work_dir = f'./work_dirs/{experiment_name}'

load_from = None

max_iters = 2_400
warmup_iters = 100
ema_begin_iter = 600  # the average starts once the weights left their random start
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=300)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
custom_hooks = [
    dict(type='EMAHook', ema_type='ExponentialMovingAverage', momentum=2e-3,
         begin_iter=ema_begin_iter, priority='ABOVE_NORMAL'),
]
default_hooks = dict(
    checkpoint=dict(
        interval=100, max_keep_ckpts=2, save_best='photo-corpus-val/PSNR'))
