# Clean photographs of the photo corpus with rain drawn afresh by AddRain,
# for training a derainer that generalises (the built-in model's data).
#
# Build the corpus first (Debian packages of photographs and the sample
# photographs of installed Python packages; see docs/photo_corpus.md):
#
#   python tools/dataset_converters/prepare_photo_corpus.py
#
#   data/photo_corpus/
#   ├── images/<source>/<name>.png   shorter side <= 512 px
#   ├── meta/{train,val,test}.txt    file lists of the three splits
#   └── manifest.csv                 split, source, licence of every photo
#
# Training rain (every range drawn per image; see cpra_mm.rain.RainParams):
# drizzle to storm, 1-4 layers at increasing depth, screen or additive
# blend, haze, lens drops, sensor noise and JPEG after the rain, and a
# quarter of the crops left dry (target = input). Validation uses the same
# distribution with fixed rain (seed 1) on the val split. The held-out test
# (tools/analysis/heldout_derain_eval.py) draws rain outside these ranges.

photo_corpus_root = 'data/photo_corpus'

training_rain = dict(
    density=(3.0, 80.0),
    length=(8.0, 60.0),
    angle=(-30.0, 30.0),
    angle_spread=(0.0, 5.0),
    width=(0.6, 3.0),
    blur=(0.0, 1.5),
    intensity=(0.15, 0.8),
    layers=(1, 4),
    depth_falloff=(0.0, 0.5),
    streak_colour=(0.75, 1.0),
    blend=('screen', 'additive'),
    haze=(0.0, 0.35),
    haze_variation=(0.0, 0.5),
    atmospheric_light=(0.6, 1.0),
    drops=(0.0, 3.0),
    drop_radius=(2.0, 8.0),
    dry_prob=0.25,
    camera=dict(
        read_noise=(0.0, 0.015),
        shot_noise=(0.0, 0.02),
        noise_prob=0.5,
        jpeg_quality=(55.0, 95.0),
        jpeg_prob=0.5))

crop_size = 96

train_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='Crop', keys=['gt'], crop_size=(crop_size, crop_size),
         random_crop=True),
    dict(type='Flip', keys=['gt'], flip_ratio=0.5, direction='horizontal'),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=None,
         **training_rain),
    dict(type='PackInputs'),
]

val_pipeline = [
    dict(type='LoadImageFromFile', key='gt', channel_order='rgb'),
    dict(type='Crop', keys=['gt'], crop_size=(256, 256), random_crop=False),
    dict(type='AddRain', src_key='gt', dst_key='img', seed=1,
         **training_rain),
    dict(type='PackInputs'),
]
# The test split: the val pipeline with other fixed rain (seed 2).
test_pipeline = [
    *val_pipeline[:2],
    dict(val_pipeline[2], seed=2),
    *val_pipeline[3:],
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='photo_corpus', task_name='deraining'),
        data_root=photo_corpus_root,
        ann_file='meta/train.txt',
        data_prefix=dict(gt='images'),
        pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='BasicImageDataset',
        metainfo=dict(dataset_type='photo-corpus-val', task_name='deraining'),
        data_root=photo_corpus_root,
        ann_file='meta/val.txt',
        data_prefix=dict(gt='images'),
        test_mode=True,
        pipeline=val_pipeline))
val_evaluator = [
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix='photo-corpus-val'),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix='photo-corpus-val'),
]
val_cfg = dict(type='MultiValLoop')

test_dataloader = dict(
    val_dataloader,
    dataset=dict(
        val_dataloader['dataset'],
        metainfo=dict(dataset_type='photo-corpus-test', task_name='deraining'),
        ann_file='meta/test.txt',
        pipeline=test_pipeline))
test_evaluator = [
    dict(metric, prefix='photo-corpus-test') for metric in val_evaluator
]
test_cfg = dict(type='MultiTestLoop')
