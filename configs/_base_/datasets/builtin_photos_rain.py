# Clean photographs with rain synthesised on the fly (cpra_mm's AddRain, with
# the statistics of ../rain/synthetic_rain.py), for training and testing
# without downloading a deraining dataset: the loaders of the paired template
# (templates/paired_deraining.py), the rainy image made from the clean one.
#
# On-disk layout, written by `python tools/prepare_builtin_photos.py` from
# the photographs scikit-image ships (clean images only, no annotation
# files: every image of a folder is used):
#
#   data/builtin_photos/
#   ├── train/   astronaut, rocket, immunohistochemistry, hubble_deep_field,
#   │            retina (longer side <= 512 px)
#   ├── val/     the same five photos at 128 px (unseen rain, seen content)
#   └── test/    chelsea, coffee: held out (longer side <= 512 px)
#
# Training draws fresh rain for every 64 x 64 crop (AddRain seed=None); val
# and test rain is fixed (seeds 1 and 2025, hashed with each file's path),
# so every evaluation sees the same rainy images. Metrics: PSNR and SSIM on
# the Y channel, no border crop, as for the deraining benchmarks.

_base_ = ['./templates/paired_deraining.py', '../rain/synthetic_rain.py']

builtin_photos_root = 'data/builtin_photos'
load_clean = dict(type='LoadImageFromFile', key='gt', channel_order='rgb')

train_pipeline = [
    load_clean,
    dict(type='Crop', keys=['gt'], crop_size=(64, 64), random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='vertical'),
    dict(type='RandomTransposeHW', keys=['gt'], transpose_ratio=0.5),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=None, **_base_.rain),
    dict(type='PackInputs'),
]
val_pipeline = [
    load_clean,
    dict(type='AddRain', src_key='gt', dst_key='img', seed=1, **_base_.rain),
    dict(type='PackInputs'),
]
test_pipeline = [
    load_clean,
    dict(type='AddRain', src_key='gt', dst_key='img', seed=2025, **_base_.rain),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        metainfo=dict(dataset_type='builtin_photos'),
        data_root=builtin_photos_root,
        ann_file='',
        data_prefix=dict(_delete_=True, gt='train'),
        pipeline=train_pipeline))

# One loader per evaluation split: 'photos-val/PSNR', ..., 'photos-test/SSIM'.
val_dataloader, test_dataloader = [
    dict(
        num_workers=0,
        dataset=dict(
            metainfo=dict(dataset_type=f'photos-{split}'),
            data_root=builtin_photos_root,
            ann_file='',
            data_prefix=dict(_delete_=True, gt=split),
            pipeline=pipeline))
    for split, pipeline in (('val', val_pipeline), ('test', test_pipeline))
]
val_evaluator, test_evaluator = [[
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix=f'photos-{split}'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix=f'photos-{split}'),
] for split in ('val', 'test')]
