# Stage twenty-two: the built-in derainer (stage twenty-one, preset
# 'small_deep', blocks 1/2/3/4) grown again, two more blocks in the latent
# level (1/8 resolution; blocks 1/2/3/6), where a block costs least. The new
# blocks start as the identity (cpra_mm/models/depth_growth.py), so training
# starts from exactly stage twenty-one's network; they learn at four times
# the learning rate of the trained weights. Otherwise stage twenty's recipe
# (crops at random scales, strong-streak weighting, 600 iterations at lr
# 1e-4), as stage twenty-one. Stage twenty-one's growth gained on every
# held-out and demo measure but the dry mean; this asks whether more depth
# where it is cheapest gains again.
#
#   python tools/grow_weights.py \
#       cpra_mm/weights/cpraformer_small_deep-corrected_1xb8-600iter_photo-corpus-stage21-grown.pth \
#       work_dirs/EXP/grown_init.pth --config configs/cpraformer/EXP.py
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks.py']

experiment_name = 'cpraformer_small_deep-latent6-corrected_1xb8-600iter_photo-corpus-stage22-grown'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(preset='small_deep', num_blocks=(1, 2, 3, 6)))
load_from = f'{work_dir}/grown_init.pth'

new_blocks = dict(lr_mult=4.0)
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
    'generator.latent.4.': new_blocks,
    'generator.latent.5.': new_blocks,
}))
