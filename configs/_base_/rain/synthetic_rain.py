# Synthetic rain (cpra_mm's AddRain): the streak statistics of the built-in
# photos' training data (../datasets/builtin_photos_rain.py) and of the rain
# the downstream and demo configs add to their images. Each range is drawn
# per image (cpra_mm.rain.RainParams).
#
# Evaluation rain is fixed: with a seed, the rain of an image depends only on
# the seed and the image's path, so every config (and every run, worker and
# process) with the same seed shows the model the same rainy images.
# Training draws fresh rain every time (seed=None).
rain = dict(
    density=(10.0, 40.0),
    length=(10.0, 40.0),
    angle=(-20.0, 20.0),
    width=(1.0, 2.0),
    intensity=(0.3, 0.7),
    layers=(1, 3),
    haze=0.0)
# The seed of the downstream and demo test rain (tools/eval_downstream.py
# --rain-seed 0 draws the same).
rain_test_seed = 0
