# Template of a paired deraining dataset (rainy image 'img', clean image
# 'gt'): the training pipeline and the train, validation and test
# dataloaders. A dataset config inherits this file and overrides, in each
# loader, data_root, metainfo.dataset_type and, where its layout differs from
# the template's, data_prefix, ann_file, filename_tmpl and search_key; it adds
# its own val_evaluator and test_evaluator (the metric prefix names the set).
# Several test sets: a list of copies of the template test loader, one per
# set (see ../rain13k.py).
#
# The template's layout (rainy and clean images share file names):
#
#   <data_root>/
#   ├── train/{input,target}/
#   ├── test/{input,target}/
#   └── meta/{train,val}.txt   written by make_val_split.py
#
# Images are loaded as RGB; MMagic's DataPreprocessor turns them into
# [0, 1] tensors (mean 0, std 255 in the model config).

load_pair = [
    dict(type='LoadImageFromFile', key='img', channel_order='rgb'),
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
]

train_pipeline = [
    *load_pair,
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
test_pipeline = [*load_pair, dict(type='PackInputs')]

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

test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(task_name='deraining'),
        data_prefix=dict(img='test/input', gt='test/target'),
        test_mode=True,
        pipeline=test_pipeline))

# The validation slice is held out of the training folders.
val_dataloader = dict(
    test_dataloader,
    dataset=dict(test_dataloader['dataset'], ann_file='meta/val.txt',
                 data_prefix=dict(img='train/input', gt='train/target')))

# MMagic's PSNR / SSIM metrics need its MultiValLoop and MultiTestLoop.
val_cfg = dict(type='MultiValLoop')
test_cfg = dict(type='MultiTestLoop')
