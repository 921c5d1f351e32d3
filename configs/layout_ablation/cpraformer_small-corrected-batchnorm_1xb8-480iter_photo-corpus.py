# Layout ablation, arm `corrected-batchnorm`: the corrected layout with
# BatchNorm put back in the two alignment gates instead of LayerNorm
# (defect B6 of docs/architecture.md).
# Schedule, seed and data: ./_base_/from_scratch_480iter.py.
#
#   python tools/analysis/layout_ablation.py --arms corrected-batchnorm
_base_ = ['./_base_/from_scratch_480iter.py']

ablation_arm = 'corrected-batchnorm'
experiment_name = 'cpraformer_small-corrected-batchnorm_1xb8-480iter_photo-corpus'
work_dir = f'./work_dirs/layout_ablation/{ablation_arm}'

model = dict(generator=dict(preset='small', layout='corrected', gate_norm='batch'))
