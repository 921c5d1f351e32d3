# Templates for the training and validation sides of a paired deraining
# dataset (rainy image 'img', clean image 'gt'): the training pipeline and
# the train and validation dataloaders. A dataset config inherits this file
# (with ./test.py when it has test sets) and overrides, in train_dataloader
# and val_dataloader, data_root, metainfo.dataset_type and, where its layout
# differs from the template's, data_prefix, ann_file, filename_tmpl and
# search_key; it adds its own val_evaluator (the metric prefix names the
# set).
#
# The template's layout (rainy and clean images share file names):
#
#   <data_root>/
#   ├── train/{input,target}/
#   └── meta/{train,val}.txt   written by make_val_split.py
#
# Images are loaded as RGB; MMagic's DataPreprocessor turns them into
# [0, 1] tensors (mean 0, std 255 in the model config).
#
# This file and ./test.py define no key in common: a model config may
# inherit a train/val dataset config and a test-only one (MMEngine forbids
# keys that two bases both define).

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

train_dataloader = dict(
    batch_size=12,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(task_name='deraining'),
        ann_file='meta/train.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        pipeline=train_pipeline))

# The validation slice is held out of the training folders.
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(task_name='deraining'),
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        test_mode=True,
        pipeline=[
            dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
            dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
            dict(type='PackInputs'),
        ]))

# MMagic's PSNR / SSIM metrics need its MultiValLoop.
val_cfg = dict(type='MultiValLoop')
