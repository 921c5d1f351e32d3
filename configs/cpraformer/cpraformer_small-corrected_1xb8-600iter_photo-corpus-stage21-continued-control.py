# The control of stage twenty-one: stage twenty's strong-streak run
# (..._stage20-multi-scale-strong-streaks.py) continued for 600 iterations
# with its own recipe, in preset 'small', without growing. Stage twenty-one
# (..._stage21-grown.py) is the same 600 iterations on the network grown
# into 'small_deep'; the difference between the two is what the depth buys.
# Both continue from a run of stage twenty: training draws fresh random
# rain and crops, so a rerun of stage twenty is close to, not the same as,
# the one stage twenty-one grew from.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks.py
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-strong-streaks.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage21-continued-control'
work_dir = f'./work_dirs/{experiment_name}'

load_from = ('./work_dirs/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage20-multi-scale-'
             'strong-streaks/iter_600.pth')
