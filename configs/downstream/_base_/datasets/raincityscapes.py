# RainCityscapes (Hu et al., "Depth-Attentional Features for Single-Image
# Rain Removal", CVPR 2019): Cityscapes scenes with rendered rain streaks
# and rain-accumulation fog, evaluated with Cityscapes' fine labels
# (19 classes) through MMSegmentation's CityscapesDataset.
#
# Download `leftImg8bit_trainval_rain.zip` from the Cityscapes website and
# unpack it next to `leftImg8bit` and `gtFine` (converted to label train ids
# with mmseg's tools/dataset_converters/cityscapes.py):
#
#   data/cityscapes/
#   ├── leftImg8bit/{train,val}/<city>/<city>_<seq>_<frame>_leftImg8bit.png
#   ├── leftImg8bit_rain/{train,val}/<city>/
#   │     <city>_<seq>_<frame>_leftImg8bit_rain_alpha_<a>_beta_<b>_dropsize_<d>_pattern_<p>.png
#   └── gtFine/{train,val}/<city>/<city>_<seq>_<frame>_gtFine_labelTrainIds.png
#
# e.g. aachen_000004_000019_leftImg8bit_rain_alpha_0.01_beta_0.005_dropsize_0.01_pattern_1.png.
# Each scene has 36 rainy versions: 12 streak patterns (p = 1..12) times 3
# rain levels (a, b, d) = (0.01, 0.005, 0.01), (0.02, 0.01, 0.005),
# (0.03, 0.015, 0.002) (alpha: fog attenuation, beta: scattering, dropsize:
# streak size), over 262 training and 33 validation scenes: 9,432 and 1,188
# images. The images are listed per rain version: one CityscapesDataset per
# file suffix, so `img_suffix` strips the rain part and the label name
# `<city>_<seq>_<frame>_gtFine_labelTrainIds.png` follows; the 36 datasets
# are concatenated.
#
# Variables are prefixed `raincityscapes_` so that a config can inherit this
# file beside a stock Cityscapes config without clashing keys.
raincityscapes_type = 'CityscapesDataset'
raincityscapes_root = 'data/cityscapes/'
raincityscapes_levels = [('0.01', '0.005', '0.01'), ('0.02', '0.01', '0.005'),
                         ('0.03', '0.015', '0.002')]
raincityscapes_patterns = list(range(1, 13))
raincityscapes_suffixes = [
    f'_leftImg8bit_rain_alpha_{alpha}_beta_{beta}_dropsize_{dropsize}_pattern_{pattern}.png'
    for pattern in raincityscapes_patterns
    for alpha, beta, dropsize in raincityscapes_levels
]
raincityscapes_crop_size = (512, 1024)
raincityscapes_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=raincityscapes_crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
raincityscapes_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 1024), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]
# One CityscapesDataset per rain version of each split, concatenated.
raincityscapes_train, raincityscapes_val = [
    dict(
        type='ConcatDataset',
        datasets=[
            dict(
                type=raincityscapes_type,
                data_root=raincityscapes_root,
                data_prefix=dict(img_path=f'leftImg8bit_rain/{split}',
                                 seg_map_path=f'gtFine/{split}'),
                img_suffix=suffix,
                pipeline=pipeline) for suffix in raincityscapes_suffixes
        ]) for split, pipeline in (('train', raincityscapes_train_pipeline),
                                   ('val', raincityscapes_test_pipeline))
]
# The clean originals of the 33 validation scenes, for the clean leg of the
# three-way comparison; the list is written by the command in
# configs/downstream/README.md (one `<city>/<city>_<seq>_<frame>` a line).
raincityscapes_clean_val_list = 'raincityscapes_val_scenes.txt'
raincityscapes_clean_val = dict(
    type=raincityscapes_type,
    data_root=raincityscapes_root,
    ann_file=raincityscapes_clean_val_list,
    data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
    pipeline=raincityscapes_test_pipeline)
