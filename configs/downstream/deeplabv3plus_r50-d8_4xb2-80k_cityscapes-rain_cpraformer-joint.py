# Joint fine-tuning: DeepLabV3+ and CPRAformer trained together on
# Cityscapes with synthetic rain, with the segmentation losses plus
# loss_restore (Charbonnier distance between the derained and the clean
# image, weight `restore_loss_weight`). Starts from the trained segmenter of
# MMSegmentation's model zoo and the derainer checkpoint given with
#   --cfg-options model.task_model.data_preprocessor.derainer_checkpoint=PATH
# The schedule (8k iterations, lr / 10, derainer lr / 100) is a starting
# point, not tuned.
_base_ = [
    'mmseg::deeplabv3plus/deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    './_base_/synthetic_rain.py',
    './_base_/cpraformer_derainer.py',
]
custom_imports = dict(imports=['cpra_mm', 'cpra_mm.seg'], allow_failed_imports=False)

segmenter_checkpoint = 'https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3plus/deeplabv3plus_r50-d8_512x1024_80k_cityscapes/deeplabv3plus_r50-d8_512x1024_80k_cityscapes_20200606_114049-f9fb496d.pth'  # noqa: E501

# The clean copy is taken after every geometric and photometric transform,
# right before the rain, and packed as a meta key.
train_pipeline = [
    *_base_.train_pipeline[:-1],
    dict(type='KeepCleanCopy', src_key='img', dst_key='clean_img'),
    dict(type='AddRain', seed=None, src_key='img', dst_key='img', **_base_.rain),
    dict(
        type='PackSegInputs',
        meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape',
                   'pad_shape', 'scale_factor', 'flip', 'flip_direction',
                   'reduce_zero_label', 'clean_img')),
]
test_pipeline = [
    _base_.test_pipeline[0],
    dict(type='AddRain', seed=_base_.rain_test_seed, **_base_.rain),
    *_base_.test_pipeline[1:],
]
tta_pipeline = [
    _base_.tta_pipeline[0],
    dict(type='AddRain', seed=_base_.rain_test_seed, **_base_.rain),
    *_base_.tta_pipeline[1:],
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
        # the whole segmenter is loaded from its checkpoint, not the
        # backbone from ImageNet weights
        pretrained=None,
        init_cfg=dict(type='Pretrained', checkpoint=segmenter_checkpoint),
        data_preprocessor=dict(
            _base_.model.data_preprocessor,
            type='DerainSegDataPreProcessor',
            derainer=_base_.derainer,
            derainer_checkpoint=_base_.derainer_checkpoint,
            trainable=True,
            derain_tile_size=_base_.derain_tile_size,
            derain_tile_overlap=_base_.derain_tile_overlap)))

train_cfg = dict(max_iters=8000, val_interval=2000)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0, end=8000, by_epoch=False)
]
optim_wrapper = dict(
    optimizer=dict(lr=0.001),
    paramwise_cfg=dict(custom_keys={'derain_stage': dict(lr_mult=0.1, decay_mult=0.0)}))
default_hooks = dict(checkpoint=dict(interval=2000))
