# One-command set-up, tests and demo. Every target first makes sure .venv/
# holds the pinned stack (tools/setup/setup_env.sh: idempotent, seconds when
# nothing changed; the mmcv build is cached in ~/.cache/cpra_mm).
PYTHON := .venv/bin/python
PYTEST_ARGS ?= -q

.PHONY: setup test demo benchmark clean-venv

setup:
	bash tools/setup/setup_env.sh

test: setup
	$(PYTHON) -m pytest tests $(PYTEST_ARGS)

demo: setup
	bash tools/demo.sh

benchmark: setup
	$(PYTHON) tools/benchmark_model.py

clean-venv:
	rm -rf .venv
