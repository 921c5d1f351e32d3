# The scratch model (cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch.py)
# continued on stage two's rain without the haze veil, for 1,200 iterations
# on a fresh cosine schedule. Models trained with haze darken bright dry
# images as if lifting a veil: on demo-style images (photo crops with flat
# shapes, rain of configs/_base_/rain/synthetic_rain.py, no haze) the first
# built-in model, trained without haze, gains +8.6 dB where the scratch
# model gains +3.5 dB, and on the training photographs the scratch model
# darkens bright meadows and white hair (dry PSNR down to 22-25 dB).
# Every other range is stage two's.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-scratch-nohaze.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/analysis/heldout_derain_eval.py --checkpoint CKPT --config CFG
_base_ = ['./cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-scratch-nohaze'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-2400iter_photo-corpus-scratch.pth'

nohaze_rain = dict(_base_.stage2_rain, haze=0.0, haze_variation=0.0)
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='AddRain', src_key='gt', dst_key='img', seed=None,
             **nohaze_rain) if step['type'] == 'AddRain' else step
        for step in _base_.train_dataloader.dataset.pipeline
    ]))

max_iters = 1_200
warmup_iters = 50
ema_begin_iter = 100
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
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
