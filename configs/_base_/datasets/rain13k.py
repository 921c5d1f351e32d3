# The Rain13K protocol: training on Rain13K (13,712 rainy/clean pairs:
# Rain14000's 11,200, Rain1800, Rain800's 700 and Rain12, as collected by
# Jiang et al., MSPFN, CVPR 2020) with a held-out validation slice for
# checkpoint selection, and the five deraining test sets evaluated in one run
# by MMagic's MultiTestLoop: Rain100H, Rain100L, Test100, Test1200 and
# Test2800. Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop,
# reported as 'Rain13K-val/PSNR', ... and per test set as '<Set>/PSNR' and
# '<Set>/SSIM'.
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
#   data/<Set>/test/{input,target}/   for <Set> in Rain100H (100 pairs),
#                                     Rain100L (100), Test100 (100),
#                                     Test1200 (1,200), Test2800 (2,800)
#
# Create meta/ once, before training:
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/rain13k.py --num-val 100 --seed 0
# The validation slice is part of no test set, so selecting the best
# checkpoint on it does not leak test data.
#
# Pipelines and loader settings: templates/paired_deraining.py.

_base_ = ['./templates/paired_deraining.py']

rain13k_root = 'data/Rain13K'
deraining_test_sets = ['Rain100H', 'Rain100L', 'Test100', 'Test1200',
                       'Test2800']

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain13K'), data_root=rain13k_root))

val_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain13K-val'), data_root=rain13k_root))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
]

# The template test loader on each set.
test_dataloader = [
    dict(
        _base_.test_dataloader,
        dataset=dict(
            _base_.test_dataloader.dataset,
            metainfo=dict(dataset_type=name, task_name='deraining'),
            data_root=f'data/{name}/test',
            data_prefix=dict(img='input', gt='target')))
    for name in deraining_test_sets
]
test_evaluator = [[
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix=name),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix=name),
] for name in deraining_test_sets]
