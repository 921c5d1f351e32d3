# Clean photographs with rain synthesised on the fly (cpra_mm's AddRain), for
# training and testing without downloading a deraining dataset.
#
# On-disk layout, written by `python tools/prepare_builtin_photos.py` from
# the photographs scikit-image ships (clean images only):
#
#   data/builtin_photos/
#   ├── train/   astronaut, rocket, immunohistochemistry, hubble_deep_field,
#   │            retina (longer side <= 512 px)
#   ├── val/     the same five photos at 128 px (unseen rain, seen content)
#   └── test/    chelsea, coffee: held out (longer side <= 512 px)
#
# Training draws fresh rain for every 64 x 64 crop (AddRain seed=None); val
# and test rain is fixed (a seed, hashed with each file's path), so every
# evaluation sees the same rainy images. Metrics: PSNR and SSIM on the Y
# channel, no border crop, as for the deraining benchmarks.

builtin_photos_root = 'data/builtin_photos'

# Streak statistics of AddRain (each a (low, high) range drawn per image).
rain = dict(
    density=(10.0, 40.0),
    length=(10.0, 40.0),
    angle=(-20.0, 20.0),
    width=(1.0, 2.0),
    intensity=(0.3, 0.7),
    layers=(1, 3),
    haze=0.0)

train_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=None, **rain),
    dict(type='PackInputs'),
]

val_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=1, **rain),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=2025, **rain),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='builtin_photos', task_name='deraining'),
        data_root=builtin_photos_root,
        data_prefix=dict(gt='train'),
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='photos-val', task_name='deraining'),
        data_root=builtin_photos_root,
        data_prefix=dict(gt='val'),
        test_mode=True,
        pipeline=val_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='photos-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='photos-val'),
]
val_cfg = dict(type='MultiValLoop')

test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='photos-test', task_name='deraining'),
        data_root=builtin_photos_root,
        data_prefix=dict(gt='test'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='photos-test'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='photos-test'),
]
test_cfg = dict(type='MultiTestLoop')
