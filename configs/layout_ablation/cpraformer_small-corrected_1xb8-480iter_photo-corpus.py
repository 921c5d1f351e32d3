# Layout ablation, arm `corrected`: the corrected layout of the built-in
# derainer (straight-through top-K gate, a real spectral filter, LayerNorm in
# the alignment gates, one output scalar).
# Schedule, seed and data: ./_base_/from_scratch_480iter.py.
#
#   python tools/analysis/layout_ablation.py --arms corrected
_base_ = ['./_base_/from_scratch_480iter.py']

ablation_arm = 'corrected'
experiment_name = 'cpraformer_small-corrected_1xb8-480iter_photo-corpus'
work_dir = f'./work_dirs/layout_ablation/{ablation_arm}'

model = dict(generator=dict(preset='small', layout='corrected'))
