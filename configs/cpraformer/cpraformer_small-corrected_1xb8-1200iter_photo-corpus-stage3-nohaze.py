# A third stage for the built-in derainer: the stage-two model
# (cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2.py) continued
# on its rain without the haze veil, with the schedule of
# cpraformer_small-corrected_1xb8-1200iter_photo-corpus-scratch-nohaze.py
# (which says why the veil goes).
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze.py
#   (add --resume to continue an interrupted run from its last checkpoint)
_base_ = ['./cpraformer_small-corrected_1xb8-1200iter_photo-corpus-scratch-nohaze.py']

experiment_name = 'cpraformer_small-corrected_1xb8-1200iter_photo-corpus-stage3-nohaze'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2.pth'
