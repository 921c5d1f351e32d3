# Joint fine-tuning: Faster R-CNN and CPRAformer trained together on COCO
# with synthetic rain, with the detection losses plus loss_restore
# (Charbonnier distance between the derained and the clean image, weight
# `restore_loss_weight`). Starts from the trained detector of MMDetection's
# model zoo and the derainer checkpoint given with
#   --cfg-options model.task_model.data_preprocessor.derainer_checkpoint=PATH
# The schedule (2 epochs, lr / 10, derainer lr / 100) is a starting point,
# not tuned.
_base_ = [
    'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
    './_base_/synthetic_rain.py',
    './_base_/cpraformer_derainer.py',
]
custom_imports = dict(imports=['cpra_mm', 'cpra_mm.det'], allow_failed_imports=False)

detector_checkpoint = 'https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r50_fpn_1x_coco/faster_rcnn_r50_fpn_1x_coco_20200130-047c8118.pth'  # noqa: E501

# The clean copy is taken after every geometric and photometric transform,
# right before the rain, and packed as a meta key.
train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='KeepCleanCopy', src_key='img', dst_key='clean_img'),
    dict(type='AddRain', seed=None, src_key='img', dst_key='img', **_base_.rain),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor', 'flip', 'flip_direction', 'clean_img')),
]
test_pipeline = [
    _base_.test_pipeline[0],
    dict(type='AddRain', seed=_base_.rain_test_seed, **_base_.rain),
    *_base_.test_pipeline[1:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

model = dict(
    _delete_=True,
    type='JointDerainTaskModel',
    restore_loss_weight=1.0,
    charbonnier_eps=1e-3,
    clean_key='clean_img',
    task_model=dict(
        _base_.model,
        # the whole detector is loaded from its checkpoint, not the backbone
        # from ImageNet weights
        backbone=dict(_base_.model.backbone, init_cfg=None),
        init_cfg=dict(type='Pretrained', checkpoint=detector_checkpoint),
        data_preprocessor=dict(
            _base_.model.data_preprocessor,
            type='DerainDetDataPreprocessor',
            derainer=_base_.derainer,
            derainer_checkpoint=_base_.derainer_checkpoint,
            trainable=True,
            derain_tile_size=_base_.derain_tile_size,
            derain_tile_overlap=_base_.derain_tile_overlap)))

train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=2)]
optim_wrapper = dict(
    optimizer=dict(lr=0.002),
    paramwise_cfg=dict(custom_keys={'derain_stage': dict(lr_mult=0.1, decay_mult=0.0)}))
