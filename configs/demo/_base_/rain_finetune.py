# The fine-tuning budget of the downstream study's trained rows
# (tools/analysis/downstream_study.py; configs/demo/README.md#the-study):
# the rain-augmented configs (shapes-*_rain-aug_rainy.py) and the joint ones
# (shapes-*_cpraformer-joint_rainy.py) of both demo models train for the same
# iterations with the same optimiser settings and learning-rate schedule,
# from the same shipped clean-trained task weights (the joint ones also from
# the shipped derainer). A config takes them as
#   train_cfg = dict(_delete_=True, **_base_.finetune_train_cfg)
#   param_scheduler = _base_.finetune_param_scheduler
#   optim_wrapper = dict(optimizer=dict(lr=_base_.finetune_lr))
#   default_hooks = _base_.finetune_hooks
#   log_processor = dict(by_epoch=False)
# Shorter runs: --cfg-options train_cfg.max_iters=N (the schedule is cut,
# the checkpoint of the last iteration is still written).
#
# 50 iterations of batch 8 (one pass over the 400 training images) is what
# fits the whole study (two models, five rows, 20 tests) in 25 minutes
# on 2 CPU cores with one thread per process (19.4 minutes measured): a
# joint iteration costs about 5 s of a core (the derainer's backward pass),
# a rain-augmented one 0.4-0.9 s. A budget, not a tuned schedule.
finetune_iters = 50
# a tenth of the clean training's peak rate (AdamW, as the clean configs)
finetune_lr = 2e-4
finetune_train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=finetune_iters, val_interval=finetune_iters)
finetune_param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=finetune_iters,
         T_max=finetune_iters, eta_min=finetune_lr / 100)
]
finetune_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(by_epoch=False, interval=finetune_iters, max_keep_ckpts=1, save_best=None))
