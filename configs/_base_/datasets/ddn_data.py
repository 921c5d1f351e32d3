# DDN-Data (Fu et al., "Removing rain from single images via a deep detail
# network", CVPR 2017; also called Rain14000): 1,000 clean images, each with
# 14 rainy versions; the usual split is Rain12600 (900 clean images x 14)
# for training and Rain1400 (100 x 14) for testing.
#
# The release names the rainy versions <id>_<k>.jpg (k = 1..14) beside one
# clean <id>.jpg, a many-to-one naming that MMagic's BasicImageDataset
# cannot express. tools/dataset_converters/ddn_data.py builds input/ and
# target/ folders of symbolic links (or copies, --copy) with equal names,
# the clean image linked once per rainy version:
#   python tools/dataset_converters/ddn_data.py \
#       <training/rainy_image> <training/ground_truth> data/DDN-Data/train
#   python tools/dataset_converters/ddn_data.py \
#       <testing/rainy_image> <testing/ground_truth> data/DDN-Data/test
#
# On-disk layout after conversion:
#
#   data/DDN-Data/
#   ├── train/{input,target}/  1_1.jpg ... 900_14.jpg
#   ├── test/{input,target}/   901_1.jpg ... 1000_14.jpg
#   └── meta/                  train.txt, val.txt
#
# The validation slice is drawn per rainy image, so a clean image may have
# some versions in meta/train.txt and others in meta/val.txt; the test
# split shares no clean image with either.
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/ddn_data.py --num-val 140
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

ddn_root = 'data/DDN-Data'

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
        metainfo=dict(dataset_type='DDN-Data', task_name='deraining'),
        data_root=ddn_root,
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
        metainfo=dict(dataset_type='DDN-Data-val', task_name='deraining'),
        data_root=ddn_root,
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DDN-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DDN-Data-val'),
]
val_cfg = dict(type='MultiValLoop')

test_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='DDN-Data', task_name='deraining'),
        data_root=ddn_root,
        data_prefix=dict(img='test/input', gt='test/target'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DDN-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DDN-Data'),
]
test_cfg = dict(type='MultiTestLoop')
