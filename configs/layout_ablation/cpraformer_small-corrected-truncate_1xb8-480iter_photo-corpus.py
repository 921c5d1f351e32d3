# Layout ablation, arm `corrected-truncate`: the corrected layout with the
# reference code's top-K estimator put back: K is rounded down without a
# gradient, so the prompt gate never learns (defect B1 of
# docs/architecture.md).
# Schedule, seed and data: ./_base_/from_scratch_480iter.py.
#
#   python tools/analysis/layout_ablation.py --arms corrected-truncate
_base_ = ['./_base_/from_scratch_480iter.py']

ablation_arm = 'corrected-truncate'
experiment_name = 'cpraformer_small-corrected-truncate_1xb8-480iter_photo-corpus'
work_dir = f'./work_dirs/layout_ablation/{ablation_arm}'

model = dict(
    generator=dict(preset='small', layout='corrected', topk_estimator='truncate'))
