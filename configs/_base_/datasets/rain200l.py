# Rain200L (Yang et al., "Deep joint rain detection and removal from a single
# image", CVPR 2017; the light rain set of JORDER): 1,800 training and
# 200 test pairs of synthetic light rain.
#
# On-disk layout: the JORDER archives unpacked as they come, only the top
# folders renamed (rain_data_train_Light -> train, rain_data_test_Light -> test).
# The rainy copy of clean image norain-<i>.png is rain/X2/norain-<i>x2.png;
# the dataset maps the names with filename_tmpl, so no converter is needed:
#
#   data/Rain200L/
#   ├── train/
#   │   ├── rain/X2/   norain-1x2.png ... norain-1800x2.png
#   │   └── norain/    norain-1.png ... norain-1800.png
#   ├── test/
#   │   ├── rain/X2/   norain-1x2.png ... norain-200x2.png
#   │   └── norain/    norain-1.png ... norain-200.png
#   └── meta/          train.txt, val.txt
#
# Copies already rearranged into input/ and target/ folders with equal file
# names work too: override data_prefix and drop filename_tmpl.
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/rain200l.py --num-val 50
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

_base_ = [
    './paired_deraining/train_val.py',
    './paired_deraining/test.py',
]

rain200l_root = 'data/Rain200L'

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain200L'),
        data_root=rain200l_root,
        data_prefix=dict(img='train/rain/X2', gt='train/norain'),
        filename_tmpl=dict(img='{}x2', gt='{}'),
        search_key='gt'))

val_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain200L-val'),
        data_root=rain200l_root,
        data_prefix=dict(img='train/rain/X2', gt='train/norain'),
        filename_tmpl=dict(img='{}x2', gt='{}'),
        search_key='gt'))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Rain200L-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Rain200L-val'),
]

test_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Rain200L'),
        data_root=rain200l_root,
        data_prefix=dict(img='test/rain/X2', gt='test/norain'),
        filename_tmpl=dict(img='{}x2', gt='{}'),
        search_key='gt'))
test_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Rain200L'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Rain200L'),
]
