# Stage twenty-four's texture energy loss (..._stage24-continued-texture2.py)
# weighted 15 instead of 2.
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage24-continued-texture2.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage24-continued-texture15'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(texture_loss=dict(loss_weight=15.0))
