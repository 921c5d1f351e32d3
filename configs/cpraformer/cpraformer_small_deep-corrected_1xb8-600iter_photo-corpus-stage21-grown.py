# Stage twenty-one: stage twenty's strong-streak run
# (cpraformer_small-..._stage20-multi-scale-strong-streaks.py) grown into the
# 'small_deep' preset (cpra_mm/models/presets.py): one more block in encoder and decoder
# level 3 (1/4 resolution) and two more in the latent level (1/8).
# The new blocks start as the identity (cpra_mm/models/depth_growth.py), so
# training starts from exactly stage twenty's network; they learn at four
# times the learning rate of the trained weights. Otherwise stage twenty's
# recipe (crops at random scales, strong-streak weighting, 600 iterations at
# lr 1e-4). Stage twenty leaves about a sixth of each strong streak in place
# whatever its loss weighting or data; this asks whether capacity does.
#
#   python tools/grow_weights.py \
#       work_dirs/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks/iter_600.pth \
#       work_dirs/EXP/grown_init.pth --config configs/cpraformer/EXP.py
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks.py']

experiment_name = 'cpraformer_small_deep-corrected_1xb8-600iter_photo-corpus-stage21-grown'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(preset='small_deep'))
load_from = f'{work_dir}/grown_init.pth'

new_blocks = dict(lr_mult=4.0)
optim_wrapper = dict(paramwise_cfg=dict(custom_keys={
    'generator.encoder_level3.2.': new_blocks,
    'generator.latent.2.': new_blocks,
    'generator.latent.3.': new_blocks,
    'generator.decoder_level3.2.': new_blocks,
}))
