# The five deraining test sets of the Rain13K protocol, evaluated in one run
# by MMagic's MultiTestLoop: Rain100H, Rain100L, Test100, Test1200 and
# Test2800. Metrics: PSNR and SSIM on the Y channel of YCbCr, no border
# crop, reported per set as '<Set>/PSNR' and '<Set>/SSIM'.
#
# On-disk layout, one folder per set (rainy and clean images share file
# names):
#
#   data/<Set>/test/
#   ├── input/     rainy images
#   └── target/    clean images, same names
#
# with <Set> in Rain100H (100 pairs), Rain100L (100), Test100 (100),
# Test1200 (1,200) and Test2800 (2,800).

_base_ = ['./paired_deraining/test.py']

deraining_test_sets = ['Rain100H', 'Rain100L', 'Test100', 'Test1200',
                       'Test2800']

# The template test loader on each set.
test_dataloader = [
    dict(
        _base_.test_dataloader,
        dataset=dict(
            _base_.test_dataloader.dataset,
            metainfo=dict(dataset_type=name, task_name='deraining'),
            data_root=f'data/{name}/test',
            data_prefix=dict(img='input', gt='target')))
    for name in deraining_test_sets
]

test_evaluator = [[
    dict(type='PSNR', convert_to='Y', crop_border=0, prefix=name),
    dict(type='SSIM', convert_to='Y', crop_border=0, prefix=name),
] for name in deraining_test_sets]
