# Rain13K training data (13,712 rainy/clean pairs: Rain14000's 11,200,
# Rain1800, Rain800's 700 and Rain12, as collected by Jiang et al., MSPFN,
# CVPR 2020) with a held-out validation slice for checkpoint selection.
#
# On-disk layout (rainy and clean images share file names):
#
#   data/Rain13K/
#   ├── train/
#   │   ├── input/      rainy images (e.g. 1.jpg ... 13712.jpg)
#   │   └── target/     clean images, same names
#   └── meta/           written by tools/dataset_converters/make_val_split.py
#       ├── train.txt   the pairs used for training (13,612 by default)
#       └── val.txt     100 pairs held out, drawn with a fixed seed
#
# Create meta/ once, before training:
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/rain13k_train.py --num-val 100 --seed 0
# The validation slice is part of no test set (Rain100H/L, Test100/1200/2800
# stay untouched until the final test), so selecting the best checkpoint on
# it does not leak test data.
#
# Images are loaded as RGB; MMagic's DataPreprocessor turns them into
# [0, 1] tensors (mean 0, std 255 in the model config).

rain13k_root = 'data/Rain13K'

train_pipeline = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='SetValues', dictionary=dict(scale=1)),
    dict(type='PairedRandomCrop', gt_patch_size=64),
    # Two flips and a transpose draw uniformly from the 8 flip/rot90
    # variants of a patch, the augmentation of the reference code.
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='horizontal'),
    dict(type='Flip', keys=['img', 'gt'], flip_ratio=0.5,
         direction='vertical'),
    dict(type='RandomTransposeHW', keys=['img', 'gt'], transpose_ratio=0.5),
    dict(type='PackInputs'),
]

val_pipeline = [
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
        metainfo=dict(dataset_type='Rain13K', task_name='deraining'),
        data_root=rain13k_root,
        ann_file='meta/train.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='Rain13K-val', task_name='deraining'),
        data_root=rain13k_root,
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        test_mode=True,
        pipeline=val_pipeline))

# PSNR and SSIM on the Y channel of YCbCr, no border crop, reported as
# 'Rain13K-val/PSNR' and 'Rain13K-val/SSIM'. MMagic's metrics need its
# MultiValLoop.
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
]
val_cfg = dict(type='MultiValLoop')
