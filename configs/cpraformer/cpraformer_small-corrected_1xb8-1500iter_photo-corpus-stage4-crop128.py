# A fourth stage for the built-in derainer: stage three
# (cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze.py)
# continued on 128 x 128 crops (96 before) with 45 % of them dry (35 %
# before), for 1,500 iterations at lr 1e-4 on a fresh cosine schedule.
# Stage three misses two of the targets: the held-out dry worst
# (29.59 dB, the network's own alteration of one photograph; 32 wanted) and
# the demo's recovered shares (68.9 % / 43.8 %; 75 % / 70 % wanted). Larger
# crops give the network more context to tell long thin scenery from
# streaks; more dry crops weigh leaving scenery alone.
# Ran on one core of the shared development machine in four sittings
# (2026-11-30, 08:13-13:41 UTC with pauses; --resume between them) at
# 5.4-18 s per iteration: more than the two hours the issue allows. On the
# free machine with two threads it ran at about 5 s per iteration (about
# 2 h 05 min for the 1,500), with one thread 12 s.
# Result (cpra_mm/weights/README.md): more rain removed and dry images left
# more alone than stage three on the held-out set (+4.75 against +4.65 dB,
# dry mean 54.30 against 51.04 dB), but the same photograph still below
# 32 dB (29.09) and the demo shares no better, so it ships beside the
# default instead of replacing it.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_1500.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
#   python tools/analysis/heldout_derain_eval.py --checkpoint cpra_mm/weights/EXP.pth \
#       --out-dir outputs/heldout_stage4
_base_ = ['./cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage4-crop128'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze.pth'

crop_size = 128
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(step, crop_size=(crop_size, crop_size)) if step['type'] == 'Crop' else
        dict(step, dry_prob=0.45) if step['type'] == 'AddRain' else step
        for step in _base_.train_dataloader.dataset.pipeline
    ]))

max_iters = 1_500
warmup_iters = 50
train_cfg = dict(max_iters=max_iters)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, begin=0,
         end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters,
         end=max_iters, T_max=max_iters - warmup_iters, eta_min=1e-6),
]
