# Stage twenty-three (..._stage23-continued.py: the built-in derainer
# continued for 600 iterations) with ten times the weight on the Laplacian
# edge loss (0.5 instead of the paper's 0.05). On the demo's development
# images (tools/make_demo_data.py --seed 7) the built-in derainer is least
# accurate on the outlines of the shapes, PSNR 25.1 dB there against 28.5
# elsewhere, and softens them (Sobel magnitude 93.7 % of the clean images'),
# tools/analysis/outline_fidelity.py configs/demo/shapes_segmenter.py
# --cfg-options test_dataloader.dataset.data_root=data/demo_shapes_seed7/.
# Soft outlines cost a detector at high IoU thresholds (on make demo's
# images 87.5 % of the rain's AP50 drop is recovered, 74.4 % of its mAP
# drop): do sharper edges pay?
#
#   OMP_NUM_THREADS=1 python tools/train.py configs/cpraformer/EXP.py
#   (add --resume to continue an interrupted run from its last checkpoint)
#   python tools/export_weights.py work_dirs/EXP/iter_600.pth EXP.pth \
#       --config configs/cpraformer/EXP.py       (EXP: this file's experiment_name)
_base_ = ['./cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued.py']

experiment_name = 'cpraformer_small-corrected_1xb8-600iter_photo-corpus-stage23-continued-edge'
work_dir = f'./work_dirs/{experiment_name}'

model = dict(edge_loss=dict(loss_weight=0.5))
