# Joint fine-tuning: the demo detector and the shipped CPRAformer trained
# together on rainy images (fresh rain every epoch) with the detection losses
# plus loss_restore, the Charbonnier distance between the derained and the
# clean image (JointDerainTaskModel). Starts from the shipped detector and
# derainer weights; tested on the rainy validation images of the rainy
# baseline. The schedule (10 epochs, lr / 10, derainer lr / 100) is a
# starting point, not tuned. Test a checkpoint it wrote with this config (its
# weights sit under `task_model.`).
_base_ = './shapes-detector_cpraformer-frozen_rainy.py'
from cpra_mm.downstream.chain_config import add_clean_copy  # noqa: E402
from cpra_mm.utils.shipped_weights import shipped_weights  # noqa: E402

model = dict(
    _delete_=True,
    **_base_.joint_model,
    task_model=dict(
        _base_.model,
        init_cfg=dict(type='Pretrained', checkpoint=shipped_weights('shapes_detector.pth')),
        data_preprocessor=dict(_base_.model.data_preprocessor, trainable=True)))

# The clean copy is taken after every geometric and photometric transform,
# right before the rain, and packed as a meta key (add_clean_copy).
train_pipeline = add_clean_copy(_base_.train_pipeline, **_base_.rain)
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=max_epochs)
]
optim_wrapper = dict(optimizer=dict(lr=2e-4), paramwise_cfg=_base_.joint_paramwise_cfg)
default_hooks = dict(checkpoint=dict(interval=5))
