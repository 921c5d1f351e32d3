# The chain preset ('fast', 0.28 M parameters) trained with the built-in
# derainer's recipe, stage one: the photo corpus with the broad training rain,
# 96 x 96 crops, EMA, 1,500 iterations. No smaller model exists to start
# from, so it starts from random weights. Stage two:
# cpraformer_fast-corrected_1xb8-1500iter_photo-corpus-stage2.py.
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_fast-corrected_1xb8-1500iter_photo-corpus.py
_base_ = ['./cpraformer_small-corrected_1xb8-1500iter_photo-corpus.py']

experiment_name = 'cpraformer_fast-corrected_1xb8-1500iter_photo-corpus'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(preset='fast'))
load_from = None
