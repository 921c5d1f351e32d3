# Joint fine-tuning: the derained chain
# (faster-rcnn_r50_fpn_1x_coco-rain_cpraformer.py) with its CPRAformer
# trainable, Faster R-CNN and derainer trained together on COCO with
# synthetic rain, with the detection losses plus loss_restore (Charbonnier
# distance between the derained and the clean image, weight
# `restore_loss_weight`). Starts from the trained detector of MMDetection's
# model zoo and the derainer checkpoint given with
#   --cfg-options model.task_model.data_preprocessor.derainer_checkpoint=PATH
# Tested as the rainy baseline. The schedule (2 epochs, lr / 10, derainer
# lr / 100) is a starting point, not tuned.
_base_ = './faster-rcnn_r50_fpn_1x_coco-rain_cpraformer.py'
from cpra_mm.downstream.chain_config import add_clean_copy  # noqa: E402

detector_checkpoint = 'https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/faster_rcnn_r50_fpn_1x_coco/faster_rcnn_r50_fpn_1x_coco_20200130-047c8118.pth'  # noqa: E501

model = dict(
    _delete_=True,
    **_base_.joint_model,
    task_model=dict(
        _base_.model,
        # the whole detector is loaded from its checkpoint, not the backbone
        # from ImageNet weights
        backbone=dict(_base_.model.backbone, init_cfg=None),
        init_cfg=dict(type='Pretrained', checkpoint=detector_checkpoint),
        data_preprocessor=dict(_base_.model.data_preprocessor, trainable=True)))

# The rain moves behind a clean copy taken after every geometric and
# photometric transform (add_clean_copy).
train_pipeline = add_clean_copy(_base_.train_pipeline, **_base_.rain)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

train_cfg = dict(max_epochs=2, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=2)]
optim_wrapper = dict(optimizer=dict(lr=0.002), paramwise_cfg=_base_.joint_paramwise_cfg)
