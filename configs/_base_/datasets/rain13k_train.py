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
# Pipelines and loader settings: paired_deraining/train_val.py.

_base_ = ['./paired_deraining/train_val.py']

rain13k_root = 'data/Rain13K'

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain13K'), data_root=rain13k_root))

val_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain13K-val'), data_root=rain13k_root))
# The validation pipeline keeps its top-level name for configs built on
# this one.
val_pipeline = _base_.val_dataloader.dataset.pipeline

# PSNR and SSIM on the Y channel of YCbCr, no border crop, reported as
# 'Rain13K-val/PSNR' and 'Rain13K-val/SSIM'. MMagic's metrics need its
# MultiValLoop.
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Rain13K-val'),
]
