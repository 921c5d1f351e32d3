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

_base_ = [
    './paired_deraining/train_val.py',
    './paired_deraining/test.py',
]

spa_root = 'data/SPA-Data'

train_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='SPA-Data'), data_root=spa_root))

val_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='SPA-Data-val'), data_root=spa_root))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='SPA-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='SPA-Data-val'),
]

test_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='SPA-Data'), data_root=spa_root))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='SPA-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='SPA-Data'),
]
