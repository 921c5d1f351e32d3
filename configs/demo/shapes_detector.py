# A small FCOS detector (ResNet-18 at half width, trained from scratch) for
# the shapes-on-photos demo set (tools/make_demo_data.py). It trains on CLEAN
# images only, so tools/eval_downstream.py measures what rain costs it and how
# much of that a derainer in front of it recovers. About 12-14 minutes on 2 CPU
# cores; see configs/demo/README.md. MMDetection's default runtime supplies
# the scope, hooks, visualiser and logging; only what differs is set here.
_base_ = [
    'mmdet::_base_/datasets/coco_detection.py',
    'mmdet::_base_/schedules/schedule_1x.py',
    'mmdet::_base_/default_runtime.py',
]
custom_imports = dict(imports=['cpra_mm'], allow_failed_imports=False)

data_root = 'data/demo_shapes/'
classes = ('disk', 'square', 'triangle')
metainfo = dict(
    classes=classes, palette=[(230, 25, 75), (60, 180, 75), (0, 130, 200)])
image_size = 128

model = dict(
    type='FCOS',
    data_preprocessor=dict(
        type='DetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='ResNet',
        depth=18,
        base_channels=32,
        num_stages=4,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='FPN',
        in_channels=[64, 128, 256],
        out_channels=64,
        start_level=0,
        num_outs=3),
    bbox_head=dict(
        type='FCOSHead',
        num_classes=len(classes),
        in_channels=64,
        feat_channels=64,
        stacked_convs=2,
        strides=[8, 16, 32],
        regress_ranges=((-1, 20), (20, 40), (40, 1e8)),
        norm_cfg=dict(type='GN', num_groups=16, requires_grad=True),
        center_sampling=True,
        center_sample_radius=1.5,
        norm_on_bbox=True,
        centerness_on_reg=True,
        loss_cls=dict(
            type='FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
            loss_weight=1.0),
        loss_bbox=dict(type='GIoULoss', loss_weight=1.0),
        loss_centerness=dict(
            type='CrossEntropyLoss', use_sigmoid=True, loss_weight=1.0)),
    test_cfg=dict(
        nms_pre=1000,
        min_bbox_size=0,
        score_thr=0.05,
        nms=dict(type='nms', iou_threshold=0.5),
        max_per_img=100))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction=['horizontal', 'vertical']),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(image_size, image_size), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    batch_sampler=None,
    dataset=dict(
        metainfo=metainfo,
        data_root=data_root,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='images/train/'),
        filter_cfg=dict(min_size=4),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(
        metainfo=metainfo,
        data_root=data_root,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='images/val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

max_epochs = 60
train_cfg = dict(max_epochs=max_epochs, val_interval=10)

optim_wrapper = dict(
    optimizer=dict(_delete_=True, type='AdamW', lr=2e-3, weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0),
    clip_grad=dict(max_norm=10.0, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=max_epochs,
         T_max=max_epochs, eta_min=2e-5, convert_to_iter_based=True),
]

default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(
        interval=10, max_keep_ckpts=1, save_best='coco/bbox_mAP', rule='greater'))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
log_processor = dict(window_size=25)
# thin boxes on the 128-pixel images (test.py --show-dir, eval_downstream samples)
visualizer = dict(line_width=1)
randomness = dict(seed=0)
