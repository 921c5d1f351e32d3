# Layout ablation, arm `reference`: the reference layout, the authors'
# behaviour (the top-K gate gets no gradient, the "frequency" stage is a
# reflection mix, BatchNorm in the alignment gates, four output scalars).
# Schedule, seed and data: ./_base_/from_scratch_480iter.py.
#
#   python tools/analysis/layout_ablation.py --arms reference
_base_ = ['./_base_/from_scratch_480iter.py']

ablation_arm = 'reference'
experiment_name = 'cpraformer_small-reference_1xb8-480iter_photo-corpus'
work_dir = f'./work_dirs/layout_ablation/{ablation_arm}'

model = dict(generator=dict(preset='small', layout='reference'))
