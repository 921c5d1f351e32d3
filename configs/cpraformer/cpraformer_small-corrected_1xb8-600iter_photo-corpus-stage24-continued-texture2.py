# Stage twenty-three's plain continuation (..._stage23-continued.py: the
# built-in derainer continued for 600 iterations with its own recipe) plus
# a texture energy loss of weight 2 (TextureEnergyLoss: L1 between the RMS
# fine detail of 8 x 8 cells of output and target). The demo segmenter
# (trained on clean images) minds lost texture far more than rain left in
# place: on make demo's draw, the clean images blurred by 0.5 px recover
# 75.6 % of its rainy-clean gap, with 30 % of every streak left in place
# 91.4 %, the built-in derainer's images 65.1 %, and those only where it
# rained (clean elsewhere) 68.3 %, so the loss lies under the streaks
# (tools/analysis/downstream_gap_attribution.py configs/demo/shapes_segmenter.py
# cpra_mm/weights/shapes_segmenter.pth --out-dir OUT --references
# rain-left:0.1 rain-left:0.3 blur:0.5 blur:0.7 jpeg:90 noise:2).
# Does charging for missing detail pay?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage24-continued-texture2'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(texture_loss=dict(type='TextureEnergyLoss', block=8, loss_weight=2.0))
