# What every arm of the layout ablation shares: the built-in derainer's
# recipe (configs/cpraformer/cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py:
# the photo corpus with the broad training rain, 96 x 96 crops, batch 8,
# Adam at 5e-4, EMA, cosine) trained from scratch for 480 iterations, about
# 20-25 minutes on one CPU core. An arm config sets only its name and the
# network's layout (model.generator); schedule, seed (so the data order and
# the rain drawn) and evaluation are the same for every arm.
#
# The recipe's 1,500 iterations are scaled to 480 (x 0.32): warm-up 100 -> 32
# iterations, EMA momentum 2e-3 -> 6.25e-3 (the same averaging horizon, a
# third of the run). The recipe starts from trained weights; from scratch the
# EMA would still hold a share of the random initialisation at the end, so it
# copies the weights until iteration 120 and averages from there. The
# comparison uses the final EMA weights (iter_480.pth), not the best
# validation checkpoint: equal budget for every arm.
#
#   python tools/analysis/layout_ablation.py          # every arm, then the report
_base_ = [
    '../../cpraformer/cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py'
]

load_from = None  # from scratch: the arms' layouts do not share weights

max_iters = 480
warmup_iters = 32
ema_begin_iter = 120

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=60)

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]

custom_hooks = [
    dict(type='EMAHook', ema_type='ExponentialMovingAverage',
         momentum=6.25e-3, begin_iter=ema_begin_iter, priority='ABOVE_NORMAL'),
]

# Validation metrics are logged at their iteration (not the epoch, which an
# iteration-based run never advances), so the training curves can show them.
default_hooks = dict(
    logger=dict(interval=10, log_metric_by_epoch=False),
    checkpoint=dict(interval=120, max_keep_ckpts=2))

log_processor = dict(window_size=10)
randomness = dict(seed=0)
