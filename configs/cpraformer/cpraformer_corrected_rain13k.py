# CPRAformer (paper size) with the reference code's defects corrected
# (layout='corrected': trained top-K gate, a real spectral filter in AAFM's
# frequency stage, no batch statistics in the alignment gates), trained and
# tested exactly as cpraformer_paper_rain13k.py.
_base_ = ['./cpraformer_paper_rain13k.py']

experiment_name = 'cpraformer_corrected_rain13k'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(
    generator=dict(type='CPRAformer', preset='paper', layout='corrected'))
