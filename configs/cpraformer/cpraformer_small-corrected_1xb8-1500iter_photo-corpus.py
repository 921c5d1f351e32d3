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
    'mmagic::_base_/default_runtime.py',
    '../_base_/datasets/photo_corpus_rain.py',
]

custom_imports = dict(
    imports=['cpra_mm', 'cpra_mm.edit'], allow_failed_imports=False)
default_scope = 'mmagic'

experiment_name = 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    type='DerainRestorer',
    generator=dict(type='CPRAformer', preset='small', layout='corrected'),
    pixel_loss=dict(
        type='CharbonnierLoss', loss_weight=1.0, eps=1e-6, reduction='mean'),
    edge_loss=dict(
        type='LaplacianEdgeLoss', loss_weight=0.05, eps=1e-3,
        reduction='mean'),
    test_cfg=dict(quantize=True),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

load_from = 'cpra_mm/weights/cpraformer_small_photos.pth'  # the first built-in model

max_iters = 1_500
warmup_iters = 100

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=250)

optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=5e-4, betas=(0.9, 0.999)))

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
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(
        type='CheckpointHook',
        interval=125,
        by_epoch=False,
        out_dir=None,
        max_keep_ckpts=2,
        save_optimizer=True,
        save_best='photo-corpus-val/PSNR',
        rule='greater'))

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
