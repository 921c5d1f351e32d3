# Raindrop (Qian et al., "Attentive generative adversarial network for
# raindrop removal from a single image", CVPR 2018): photographs through a
# glass pane with and without adherent raindrops; 861 training pairs, test
# set A (58 pairs, well aligned) and test set B (249 pairs).
#
# On-disk layout: the release as it comes. The rainy image of <i>_clean.png
# is <i>_rain.png in the sibling folder; filename_tmpl maps the names, so
# no converter is needed:
#
#   data/Raindrop/
#   ├── train/{data,gt}/       <i>_rain.png / <i>_clean.png
#   ├── test_a/{data,gt}/
#   ├── test_b/{data,gt}/
#   └── meta/                  train.txt, val.txt (keys <i>.png)
#
# Both test sets run in one MultiTestLoop: 'Raindrop-A/PSNR', ...,
# 'Raindrop-B/SSIM'.
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/raindrop.py --num-val 40
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

raindrop_root = 'data/Raindrop'

train_pipeline = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=64),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]

test_pipeline = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='PackInputs'),
]

train_dataloader = dict(
    batch_size=12,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Raindrop', task_name='deraining'),
        data_root=raindrop_root,
        ann_file='meta/train.txt',
        data_prefix=dict(img='train/data', gt='train/gt'),
        filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
        search_key='gt',
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Raindrop-val', task_name='deraining'),
        data_root=raindrop_root,
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/data', gt='train/gt'),
        filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
        search_key='gt',
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-val'),
]
val_cfg = dict(type='MultiValLoop')

test_dataloader = [
    dict(
        batch_size=1,
        num_workers=4,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='BasicImageDataset',
            metainfo=dict(dataset_type='Raindrop-A', task_name='deraining'),
            data_root=raindrop_root,
            data_prefix=dict(img='test_a/data', gt='test_a/gt'),
            filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
            search_key='gt',
            test_mode=True,
            pipeline=test_pipeline)),
    dict(
        batch_size=1,
        num_workers=4,
        persistent_workers=False,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(
            type='BasicImageDataset',
            metainfo=dict(dataset_type='Raindrop-B', task_name='deraining'),
            data_root=raindrop_root,
            data_prefix=dict(img='test_b/data', gt='test_b/gt'),
            filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
            search_key='gt',
            test_mode=True,
            pipeline=test_pipeline)),
]
test_evaluator = [
    [
        dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-A'),
        dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-A'),
    ],
    [
        dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-B'),
        dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-B'),
    ],
]
test_cfg = dict(type='MultiTestLoop')
