# CPRAformer (paper size) with the reference code's defects corrected
# (layout='corrected': trained top-K gate, a real spectral filter in AAFM's
# frequency stage, no batch statistics in the alignment gates), trained and
# tested exactly as cpraformer_paper-reference_1xb12-342800iter_rain13k.py.
_base_ = ['./cpraformer_paper-reference_1xb12-342800iter_rain13k.py']

model = dict(generator=dict(layout='corrected'))
