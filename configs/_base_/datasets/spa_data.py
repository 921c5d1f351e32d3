# SPA-Data (Wang et al., "Spatial attentive single-image deraining with a
# high quality real rain dataset", CVPR 2019): real rain; 638,492 training
# pairs (crops from video frames with the rain removed by a semi-automatic
# temporal method) and 1,000 test pairs (512 x 512).
#
# The release pairs files through list files (one "<rainy> <clean>" path
# pair per line, e.g. real_world.txt and real_test_1000.txt), with
# different names for the two sides. tools/dataset_converters/spa_data.py
# turns a list into input/ and target/ folders of symbolic links with
# equal names:
#   python tools/dataset_converters/spa_data.py \
#       <SPA>/real_world.txt <SPA> data/SPA-Data/train
#   python tools/dataset_converters/spa_data.py \
#       <SPA>/real_test_1000.txt <SPA> data/SPA-Data/test
#
# On-disk layout after conversion:
#
#   data/SPA-Data/
#   ├── train/{input,target}/
#   ├── test/{input,target}/
#   └── meta/                  train.txt, val.txt
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/spa_data.py --num-val 1000
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

spa_root = 'data/SPA-Data'

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
        metainfo=dict(dataset_type='SPA-Data', task_name='deraining'),
        data_root=spa_root,
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
        metainfo=dict(dataset_type='SPA-Data-val', task_name='deraining'),
        data_root=spa_root,
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='SPA-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='SPA-Data-val'),
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
        metainfo=dict(dataset_type='SPA-Data', task_name='deraining'),
        data_root=spa_root,
        data_prefix=dict(img='test/input', gt='test/target'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='SPA-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='SPA-Data'),
]
test_cfg = dict(type='MultiTestLoop')
