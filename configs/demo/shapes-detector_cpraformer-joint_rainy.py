# Joint fine-tuning: the demo detector and the shipped CPRAformer trained
# together on rainy images (fresh rain every epoch) with the detection losses
# plus loss_restore, the Charbonnier distance between the derained and the
# clean image (JointDerainTaskModel). Starts from the shipped detector and
# derainer weights; tested on the rainy validation images of the rainy
# baseline. The schedule (10 epochs, lr / 10, derainer lr / 100) is a
# starting point, not tuned. Test a checkpoint it wrote with this config (its
# weights sit under `task_model.`).
_base_ = ['./shapes-detector_rainy.py', './_base_/cpraformer_small_photos.py']
from cpra_mm.downstream.chain_config import add_derain_stage  # noqa: E402
from cpra_mm.utils.shipped_weights import shipped_weights  # noqa: E402

# The clean copy is taken after every geometric and photometric transform,
# right before the rain, and packed as a meta key.
train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='KeepCleanCopy', src_key='img', dst_key='clean_img'),
    dict(type='AddRain', seed=None, src_key='img', dst_key='img', **_base_.rain),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', 'flip',
                   'flip_direction', 'clean_img')),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

model = dict(
    _delete_=True,
    type='JointDerainTaskModel',
    restore_loss_weight=1.0,
    charbonnier_eps=1e-3,
    clean_key='clean_img',
    task_model=dict(
        _base_.model,
        init_cfg=dict(type='Pretrained', checkpoint=shipped_weights('shapes_detector.pth')),
        data_preprocessor=add_derain_stage(
            _base_.model.data_preprocessor,
            derainer=_base_.derainer,
            derainer_checkpoint=_base_.derainer_checkpoint,
            trainable=True,
            derain_tile_size=_base_.derain_tile_size,
            derain_tile_overlap=_base_.derain_tile_overlap)))

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=max_epochs)
]
optim_wrapper = dict(
    optimizer=dict(lr=2e-4),
    paramwise_cfg=dict(custom_keys={'derain_stage': dict(lr_mult=0.1, decay_mult=0.0)}))
default_hooks = dict(checkpoint=dict(interval=5))
