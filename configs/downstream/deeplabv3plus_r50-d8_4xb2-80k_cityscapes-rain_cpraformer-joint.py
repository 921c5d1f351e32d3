# Joint fine-tuning: the derained chain
# (deeplabv3plus_r50-d8_4xb2-80k_cityscapes-rain_cpraformer.py) with its
# CPRAformer trainable, DeepLabV3+ and derainer trained together on
# Cityscapes with synthetic rain, with the segmentation losses plus
# loss_restore (Charbonnier distance between the derained and the clean
# image, weight `restore_loss_weight`). Starts from the trained segmenter of
# MMSegmentation's model zoo and the derainer checkpoint given with
#   --cfg-options model.task_model.data_preprocessor.derainer_checkpoint=PATH
# Tested as the rainy baseline. The schedule (8k iterations, lr / 10,
# derainer lr / 100) is a starting point, not tuned.
_base_ = './deeplabv3plus_r50-d8_4xb2-80k_cityscapes-rain_cpraformer.py'
from cpra_mm.downstream.chain_config import add_clean_copy  # noqa: E402

segmenter_checkpoint = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3plus/deeplabv3plus_r50-d8_512x1024_80k_cityscapes/deeplabv3plus_r50-d8_512x1024_80k_cityscapes_20200606_114049-f9fb496d.pth'  # noqa: E501

model = dict(
    _delete_=True,
    **_base_.joint_model,
    task_model=dict(
        _base_.model,
        # the whole segmenter is loaded from its checkpoint, not the
        # backbone from ImageNet weights
        pretrained=None,
        init_cfg=dict(type='Pretrained', checkpoint=segmenter_checkpoint),
        data_preprocessor=dict(_base_.model.data_preprocessor, trainable=True)))

# The rain moves behind a clean copy taken after every geometric and
# photometric transform (add_clean_copy).
train_pipeline = add_clean_copy(_base_.train_pipeline, **_base_.rain)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

train_cfg = dict(max_iters=8000, val_interval=2000)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0, end=8000, by_epoch=False)
]
optim_wrapper = dict(optimizer=dict(lr=0.001), paramwise_cfg=_base_.joint_paramwise_cfg)
default_hooks = dict(checkpoint=dict(interval=2000))
