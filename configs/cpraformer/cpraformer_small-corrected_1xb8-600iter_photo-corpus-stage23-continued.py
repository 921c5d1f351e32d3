# Stage twenty-one's control (the built-in derainer since 2026-12-02,
# ..._stage21-continued-control.py) continued for another 600 iterations
# with the same recipe: does a third round of 600 iterations still pay,
# as the second one did?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage21-continued-control.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage21-continued-control.pth'
