# Layout ablation, arm `corrected-reffreq`: the corrected layout with the
# reference code's frequency stage put back, a reflection mix instead of a
# spectral filter (defect B5 of docs/architecture.md).
# Schedule, seed and data: ./_base_/from_scratch_480iter.py.
#
#   python tools/analysis/layout_ablation.py --arms corrected-reffreq
_base_ = ['./_base_/from_scratch_480iter.py']

ablation_arm = 'corrected-reffreq'
experiment_name = 'cpraformer_small-corrected-reffreq_1xb8-480iter_photo-corpus'
work_dir = f'./work_dirs/layout_ablation/{ablation_arm}'

model = dict(
    generator=dict(preset='small', layout='corrected', frequency_stage='reference'))
