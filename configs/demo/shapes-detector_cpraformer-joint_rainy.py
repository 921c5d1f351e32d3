# Joint fine-tuning: the demo detector and the shipped CPRAformer trained
# together on rainy images (fresh rain on every image) with the detection
# losses plus loss_restore, the Charbonnier distance between the derained
# and the clean image (JointDerainTaskModel). Starts from the shipped
# detector and derainer weights and trains with the study's budget
# (_base_/rain_finetune.py, the same as shapes-detector_rain-aug_rainy.py's;
# the derainer learns at a tenth of the rate, without weight decay). Tested
# on the rainy validation images of the rainy baseline;
# shapes-detector_cpraformer-joint_clean.py tests its checkpoint on the
# clean ones. Test a checkpoint it wrote with these configs (its weights sit
# under `task_model.`).
_base_ = ['./shapes-detector_cpraformer-frozen_rainy.py', './_base_/rain_finetune.py']
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
train_dataloader = dict(
    sampler=dict(type='InfiniteSampler'), dataset=dict(pipeline=train_pipeline))

train_cfg = dict(_delete_=True, **_base_.finetune_train_cfg)
param_scheduler = _base_.finetune_param_scheduler
optim_wrapper = dict(
    optimizer=dict(lr=_base_.finetune_lr), paramwise_cfg=_base_.joint_paramwise_cfg)
default_hooks = _base_.finetune_hooks
log_processor = dict(by_epoch=False)
