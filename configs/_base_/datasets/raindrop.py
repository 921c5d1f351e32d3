# Raindrop (Qian et al., "Attentive generative adversarial network for
# raindrop removal from a single image", CVPR 2018): photographs through a
# glass pane with and without adherent raindrops; 861 training pairs, test
# set A (58 pairs, well aligned) and test set B (249 pairs).
#
# On-disk layout: the release as it comes. The rainy image of <i>_clean.png
# is <i>_rain.png in the sibling folder; filename_tmpl maps the names, so
# no converter is needed:
#
#   data/Raindrop/
#   ├── train/{data,gt}/       <i>_rain.png / <i>_clean.png
#   ├── test_a/{data,gt}/
#   ├── test_b/{data,gt}/
#   └── meta/                  train.txt, val.txt (keys <i>.png)
#
# Both test sets run in one MultiTestLoop: 'Raindrop-A/PSNR', ...,
# 'Raindrop-B/SSIM'.
#
# meta/train.txt and meta/val.txt (the validation slice that selects the
# best checkpoint; never a test image) are written once by
#   python tools/dataset_converters/make_val_split.py \
#       configs/_base_/datasets/raindrop.py --num-val 40
#
# Metrics: PSNR and SSIM on the Y channel of YCbCr, no border crop.

_base_ = [
    './paired_deraining/train_val.py',
    './paired_deraining/test.py',
]

raindrop_root = 'data/Raindrop'

train_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Raindrop'),
        data_root=raindrop_root,
        data_prefix=dict(img='train/data', gt='train/gt'),
        filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
        search_key='gt'))

val_dataloader = dict(
    dataset=dict(
        metainfo=dict(dataset_type='Raindrop-val'),
        data_root=raindrop_root,
        data_prefix=dict(img='train/data', gt='train/gt'),
        filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
        search_key='gt'))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-val'),
]

# The template test loader on test_a (Raindrop-A) and on test_b
# (Raindrop-B).
test_dataloader = [
    dict(
        _base_.test_dataloader,
        dataset=dict(
            _base_.test_dataloader.dataset,
            metainfo=dict(dataset_type=f'Raindrop-{name}',
                          task_name='deraining'),
            data_root=raindrop_root,
            data_prefix=dict(img=f'{folder}/data', gt=f'{folder}/gt'),
            filename_tmpl=dict(img='{}_rain', gt='{}_clean'),
            search_key='gt'))
    for name, folder in (('A', 'test_a'), ('B', 'test_b'))
]
test_evaluator = [
    [
        dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-A'),
        dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-A'),
    ],
    [
        dict(type='PSNR', convert_to='Y', crop_border=0, prefix='Raindrop-B'),
        dict(type='SSIM', convert_to='Y', crop_border=0, prefix='Raindrop-B'),
    ],
]
