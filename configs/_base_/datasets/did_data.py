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

_base_ = [
    './paired_deraining/train_val.py',
    './paired_deraining/test.py',
]

did_root = 'data/DID-Data'

train_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DID-Data'), data_root=did_root))

val_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DID-Data-val'), data_root=did_root))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DID-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DID-Data-val'),
]

test_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DID-Data'), data_root=did_root))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DID-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DID-Data'),
]
