# DID-Data (Zhang and Patel, "Density-aware single image de-raining using a
# multi-stream dense network", CVPR 2018): 12,000 training pairs (4,000 each
# of light, medium and heavy rain) and 1,200 test pairs (Test1200).
#
# The release stores each pair as ONE image, rainy and clean side by side.
# tools/dataset_converters/did_data.py splits them into lossless PNG pairs:
#   python tools/dataset_converters/did_data.py \
#       <DID-MDN-training> data/DID-Data/train
#   python tools/dataset_converters/did_data.py \
#       <DID-MDN-test> data/DID-Data/test
# (add --rainy-side right if your copy has the clean half on the left).
#
# On-disk layout after conversion (names keep the density subfolder, e.g.
# Rain_Heavy_1.png):
#
#   data/DID-Data/
#   ├── train/{input,target}/
#   ├── test/{input,target}/
#   └── meta/                  train.txt, val.txt
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/did_data.py --num-val 100
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

did_root = 'data/DID-Data'

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
        metainfo=dict(dataset_type='DID-Data', task_name='deraining'),
        data_root=did_root,
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
        metainfo=dict(dataset_type='DID-Data-val', task_name='deraining'),
        data_root=did_root,
        ann_file='meta/val.txt',
        data_prefix=dict(img='train/input', gt='train/target'),
        test_mode=True,
        pipeline=test_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DID-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DID-Data-val'),
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
        metainfo=dict(dataset_type='DID-Data', task_name='deraining'),
        data_root=did_root,
        data_prefix=dict(img='test/input', gt='test/target'),
        test_mode=True,
        pipeline=test_pipeline))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DID-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DID-Data'),
]
test_cfg = dict(type='MultiTestLoop')
