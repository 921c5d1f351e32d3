# A seventeenth stage for the built-in derainer: stage sixteen
# (..._stage16-over-removal.py: stage eleven continued for 600 iterations at
# lr 1e-4 with the pixel loss weighted toward the rain, emphasis 12, over-
# removal weighted up to three times, LocalMeanLoss weight 4) continued with
# the same recipe and samples for another 600 iterations (a fresh warm-up
# and cosine cycle at lr 1e-4). Stage sixteen still leaves faint streak
# residue over flat coloured regions under the demo's dense rain; its
# validation PSNR rose from 27.12 dB at iteration 300 to 28.03 dB at 600.
# A negative result, not shipped: 56 min with one thread beside `make study`
# (AMD EPYC, 2026-12-01/02, 23:05-00:01 UTC, 4.5-6.5 s per iteration;
# validation PSNR 27.27 dB); with the mirror ensemble, held-out derain() +4.74 dB but 2 / 53
# photographs up to 0.01 dB worse than their rainy input, dry worst
# 30.38 dB (the solar panels); make demo's draw 71.1 % (det mAP) and 66.3 %
# (seg mIoU) recovered, stage sixteen 73.3 % and 65.1 %
# (cpra_mm/weights/README.md, "Stage seventeen").
#
#   OMP_NUM_THREADS=2 python tools/train.py \
#       configs/cpraformer/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage17-continued.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth cpra_mm/weights/EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage16-over-removal.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage17-continued'
work_dir = f'./work_dirs/{experiment_name}'

load_from = 'cpra_mm/weights/cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage16-over-removal.pth'
