# A fourteenth stage for the built-in derainer: stage twelve with emphasis 12
# (cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py)
# continued for 600 iterations at lr 1e-4 with its rain-weighted loss and a
# sixth source of samples: the training photographs stage twelve alters
# most when dry, mined from its dry scan as stage five mined stage four's
# (each photograph under 45 dB, repeated once per 2 dB below; 68
# photographs, 217 lines), half of them dry.
#
#   python tools/analysis/streak_angle_sweep.py --dry-only --out-dir outputs/dry_scan_stage12e12 \
#       --checkpoint cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.pth
#   python tools/dataset_converters/mine_hard_dry_photos.py outputs/dry_scan_stage12e12/streak_angle_sweep.json \
#       --train-list data/photo_corpus/meta/train.txt --below 45 \
#       --out data/photo_corpus/meta/train_hard_dry_stage12.txt
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage14-rain-emphasis-hard-dry.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage14-rain-emphasis-hard-dry'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage12-rain-emphasis12.pth'

broad_photos, hard_dry_photos, plain_rain_photos, _, painted = \
    _base_.train_dataloader.dataset.datasets
train_dataloader = dict(
    dataset=dict(datasets=[
        broad_photos,
        hard_dry_photos,
        dict(hard_dry_photos, ann_file='meta/train_hard_dry_stage12.txt'),
        plain_rain_photos,
        plain_rain_photos,
        painted,
    ]))
