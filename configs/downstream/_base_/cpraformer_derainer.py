# The derainer put in front of the detectors and segmenters: the arguments a
# derain data preprocessor (DerainDetDataPreprocessor,
# DerainSegDataPreProcessor) adds to the stock one, given to it as
#   data_preprocessor=dict(type=..., trainable=False, **_base_.derain_preprocessor)
# (or through cpra_mm.downstream.chain_config.add_derain_stage), and the
# settings of joint fine-tuning (JointDerainTaskModel).
#
# The size and layout must be those of the checkpoint: these match the
# built-in derainer (cpra_mm.utils.shipped_weights.BUILTIN_DERAINER_NETWORK;
# configs/demo/_base_/builtin_derainer.py), preset 'small'. For the shipped
# 'small_deep' weights use dict(type='CPRAformer', preset='small_deep',
# layout='corrected'), for a paper-size model
# dict(type='CPRAformer', preset='paper', layout='reference').
#
# Give the weights on the command line:
#   --cfg-options model.data_preprocessor.derainer_checkpoint=PATH
# (for a -joint config: model.task_model.data_preprocessor.derainer_checkpoint=PATH)
# Without them the derainer keeps its untrained initialisation and warns.
# Large images are derained in 512 x 512 tiles overlapping by 32 pixels,
# which bounds the memory; smaller images run whole. The gradient-free
# deraining can run in an opt-in fast mode: derain_precision='bf16' / 'fp16'
# (autocast) and derain_compile=True (torch.compile); their output
# differences to fp32 are in docs/fast_inference.md. Rain slanted 30-60
# degrees from vertical is derained on a copy sheared so that its streaks
# stand upright (derain_align_streaks; cpra_mm.models.streak_alignment).
# derain_flip_ensemble=True makes every gradient-free pass the mean of the
# derainer on the images and on their left-right mirrors
# (cpra_mm.models.flip_ensemble): twice the derainer's time. Off: the
# built-in derainer meets its targets in one pass (cpra_mm/weights/README.md).
derain_preprocessor = dict(
    derainer=dict(type='CPRAformer', preset='small', layout='corrected'),
    derainer_checkpoint=None,
    derain_tile_size=512,
    derain_tile_overlap=32,
    derain_precision='fp32',
    derain_compile=False,
    derain_align_streaks=True,
    derain_flip_ensemble=False)

# Joint fine-tuning: the task losses plus loss_restore, the Charbonnier
# distance between each derained image and its clean copy ('clean_img' in
# the data samples' metainfo), as
#   model=dict(_delete_=True, **_base_.joint_model, task_model=...)
# with the derainer learning at a tenth of the task model's rate, without
# weight decay (optim_wrapper=dict(paramwise_cfg=_base_.joint_paramwise_cfg)).
# The wrapper's own data preprocessor only moves the batch to the device (the
# task model's derains, normalises and pads); it is named here because
# MMEngine's Runner gives a model config without one the config's top-level
# `data_preprocessor`, which MMSegmentation's configs define (the task
# model's: it would pad and normalise the images before the derainer).
joint_model = dict(
    type='JointDerainTaskModel',
    restore_loss_weight=1.0,
    charbonnier_eps=1e-3,
    clean_key='clean_img',
    data_preprocessor=dict(type='BaseDataPreprocessor'))
joint_paramwise_cfg = dict(
    custom_keys={'derain_stage': dict(lr_mult=0.1, decay_mult=0.0)})
