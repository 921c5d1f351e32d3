# What the CPRAformer configs share: MMagic's default runtime and
# DerainRestorer around the network, trained with the reference code's loss
# (Charbonnier, eps 1e-3, plus 0.05 x the Laplacian edge loss) on [0, 1]
# images with Adam, its predictions rounded to 8-bit levels (as saved images
# are measured), the best checkpoint chosen by validation PSNR. A config sets
# the network's preset and layout, the data, the schedule and the checkpoint
# interval, number kept and metric.
_base_ = ['mmagic::_base_/default_runtime.py']

custom_imports = dict(
    imports=['cpra_mm', 'cpra_mm.edit'], allow_failed_imports=False)

model = dict(
    type='DerainRestorer',
    generator=dict(type='CPRAformer'),
    # MMagic's Charbonnier puts eps inside the square root unsquared:
    # sqrt(d^2 + 1e-6) is the reference code's sqrt(d^2 + (1e-3)^2).
    pixel_loss=dict(
        type='CharbonnierLoss', loss_weight=1.0, eps=1e-6, reduction='mean'),
    edge_loss=dict(
        type='LaplacianEdgeLoss', loss_weight=0.05, eps=1e-3,
        reduction='mean'),
    test_cfg=dict(quantize=True),
    data_preprocessor=dict(
        type='DataPreprocessor', mean=[0., 0., 0.], std=[255., 255., 255.]))

optim_wrapper = dict(
    constructor='DefaultOptimWrapperConstructor',
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=2e-4, betas=(0.9, 0.999), eps=1e-8))

default_hooks = dict(checkpoint=dict(out_dir=None, save_optimizer=True))
