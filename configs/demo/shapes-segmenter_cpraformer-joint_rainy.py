# Joint fine-tuning: the demo segmenter and the shipped CPRAformer trained
# together on rainy images (fresh rain every iteration) with the
# segmentation loss plus loss_restore, the Charbonnier distance between the
# derained and the clean image (JointDerainTaskModel). Starts from the
# shipped segmenter and derainer weights; tested on the rainy validation
# images of the rainy baseline. The schedule (500 iterations, lr / 10,
# derainer lr / 100) is a starting point, not tuned. Test a checkpoint it
# wrote with this config (its weights sit under `task_model.`).
_base_ = ['./shapes-segmenter_rainy.py', './_base_/cpraformer_small_photos.py']
from cpra_mm.downstream.chain_config import add_derain_stage  # noqa: E402
from cpra_mm.utils.shipped_weights import shipped_weights  # noqa: E402

# The clean copy is taken after every geometric and photometric transform,
# right before the rain, and packed as a meta key.
train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='KeepCleanCopy', src_key='img', dst_key='clean_img'),
    dict(type='AddRain', seed=None, src_key='img', dst_key='img', **_base_.rain),
    dict(
        type='PackSegInputs',
        meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape',
                   'scale_factor', 'flip', 'flip_direction', 'reduce_zero_label',
                   'clean_img')),
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
        init_cfg=dict(type='Pretrained', checkpoint=shipped_weights('shapes_segmenter.pth')),
        data_preprocessor=add_derain_stage(
            _base_.model.data_preprocessor,
            derainer=_base_.derainer,
            derainer_checkpoint=_base_.derainer_checkpoint,
            trainable=True,
            derain_tile_size=_base_.derain_tile_size,
            derain_tile_overlap=_base_.derain_tile_overlap)))

max_iters = 500
train_cfg = dict(max_iters=max_iters, val_interval=250)
param_scheduler = [
    dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=0, end=max_iters)
]
optim_wrapper = dict(
    optimizer=dict(lr=2e-4),
    paramwise_cfg=dict(custom_keys={'derain_stage': dict(lr_mult=0.1, decay_mult=0.0)}))
default_hooks = dict(checkpoint=dict(interval=250))
