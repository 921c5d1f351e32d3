# A small CPRAformer that trains on a CPU in about 20 minutes (2 cores) on
# rain synthesised over scikit-image's photographs, and is tested on two
# held-out photos with fixed rain.
#
#   python tools/prepare_builtin_photos.py
#   python tools/train.py configs/cpraformer/cpraformer_small_cpu_photos.py
#   python tools/test.py configs/cpraformer/cpraformer_small_cpu_photos.py \
#       work_dirs/cpraformer_small_cpu_photos/iter_2000.pth
_base_ = [
    'mmagic::_base_/default_runtime.py',
    '../_base_/datasets/builtin_photos_rain.py',
]

custom_imports = dict(
    imports=['cpra_mm', 'cpra_mm.edit'], allow_failed_imports=False)
default_scope = 'mmagic'

experiment_name = 'cpraformer_small_cpu_photos'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    type='DerainRestorer',
    # The corrected layout needs no batch statistics, so small batches train.
    generator=dict(type='CPRAformer', preset='small', layout='corrected'),
    pixel_loss=dict(
        type='CharbonnierLoss', loss_weight=1.0, eps=1e-6, reduction='mean'),
    edge_loss=dict(
        type='LaplacianEdgeLoss', loss_weight=0.05, eps=1e-3,
        reduction='mean'),
    test_cfg=dict(quantize=True),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

max_iters = 2_000
warmup_iters = 100

train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=500)

optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3, betas=(0.9, 0.999)))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-5),
]

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(
        type='CheckpointHook',
        interval=500,
        by_epoch=False,
        out_dir=None,
        max_keep_ckpts=2,
        save_optimizer=True,
        save_best='photos-val/PSNR',
        rule='greater'))

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
randomness = dict(seed=0)
