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

_base_ = [
    './paired_deraining/train_val.py',
    './paired_deraining/test.py',
]

ddn_root = 'data/DDN-Data'

train_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DDN-Data'), data_root=ddn_root))

val_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DDN-Data-val'), data_root=ddn_root))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DDN-Data-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DDN-Data-val'),
]

test_dataloader = dict(
    dataset=dict(metainfo=dict(dataset_type='DDN-Data'), data_root=ddn_root))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='DDN-Data'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='DDN-Data'),
]
