# The built-in derainer, second stage: continues from the photo-corpus model
# (cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py) with rain that
# leaves more crops dry (35 %) and lighter, more even haze, on a fresh cosine
# schedule. Stage one removed rain but also darkened bright, hazy-looking dry
# photographs (held-out dry worst 18.64 dB): a broad haze range teaches the
# network that any veil is rain. Every other training range is stage one's.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2.py
#   python tools/analysis/heldout_derain_eval.py --checkpoint CKPT --config CFG
_base_ = ['./cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1500iter_photo-corpus.pth'

stage2_rain = dict(
    density=(3.0, 80.0),
    length=(8.0, 60.0),
    angle=(-30.0, 30.0),
    angle_spread=(0.0, 5.0),
    width=(0.6, 3.0),
    blur=(0.0, 1.5),
    intensity=(0.15, 0.8),
    layers=(1, 4),
    depth_falloff=(0.0, 0.5),
    streak_colour=(0.75, 1.0),
    blend=('screen', 'additive'),
    haze=(0.0, 0.15),  # stage one: 0-0.35
    haze_variation=(0.0, 0.3),  # stage one: 0-0.5
    atmospheric_light=(0.6, 1.0),
    drops=(0.0, 3.0),
    drop_radius=(2.0, 8.0),
    dry_prob=0.35,  # stage one: 0.25
    camera=dict(
        read_noise=(0.0, 0.015),
        shot_noise=(0.0, 0.02),
        noise_prob=0.5,
        jpeg_quality=(55.0, 95.0),
        jpeg_prob=0.5))

crop_size = 96
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
        dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
             random_crop=True),
        dict(type='Flip', keys=['gt'], flip_ratio=0.5,
             direction='horizontal'),
        dict(type='AddRain', src_key='gt', dst_key='img', seed=None,
             **stage2_rain),
        dict(type='PackInputs'),
    ]))

max_iters = 1_500
warmup_iters = 50
optim_wrapper = dict(optimizer=dict(lr=3e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
