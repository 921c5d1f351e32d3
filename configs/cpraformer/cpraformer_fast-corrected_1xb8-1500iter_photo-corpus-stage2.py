# The chain preset, stage two of the built-in derainer's recipe (more dry
# crops, lighter haze), from the last checkpoint of stage one
# (cpraformer_fast-corrected_1xb8-1500iter_photo-corpus.py, whose EMA
# weights the checkpoint holds as its state_dict).
#
#   OMP_NUM_THREADS=1 python tools/train.py \
#       configs/cpraformer/cpraformer_fast-corrected_1xb8-1500iter_photo-corpus-stage2.py
_base_ = ['./cpraformer_small-corrected_1xb8-1500iter_photo-corpus-stage2.py']

experiment_name = 'cpraformer_fast-corrected_1xb8-1500iter_photo-corpus-stage2'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(generator=dict(preset='fast'))
load_from = ('./work_dirs/cpraformer_fast-corrected_1xb8-1500iter_photo-corpus/'
             'iter_1500.pth')
