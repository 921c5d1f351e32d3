"""Deployment of a derainer: ONNX export with dynamic batch, height and
width (:mod:`.onnx_export`), inference with onnxruntime
(:mod:`.onnx_runtime`) and every inference mode by name
(:mod:`.inference_modes`).

Import the submodules directly; this package imports neither, so
``import cpra_mm`` never needs onnx or onnxruntime.
"""
