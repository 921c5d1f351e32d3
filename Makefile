# One-command set-up, tests, demo and downstream study. Every target first
# makes sure .venv/ holds the pinned stack (tools/setup/setup_env.sh:
# idempotent, seconds when nothing changed; the mmcv build is cached in
# ~/.cache/cpra_mm).
PYTHON := .venv/bin/python
PYTEST_ARGS ?= -q
# e.g. make study STUDY_ARGS='--seed 0 1' (see tools/analysis/downstream_study.py --help)
STUDY_ARGS ?=
DEMO_DATA := data/demo_shapes

.PHONY: setup test demo study benchmark clean-venv

setup:
	bash tools/setup/setup_env.sh

test: setup
	$(PYTHON) -m pytest tests $(PYTEST_ARGS)

demo: setup
	bash tools/demo.sh

# The five-row downstream study (rainy baseline, frozen derainer, rain-augmented,
# joint, rain-augmented + derainer) from the shipped weights, one thread per
# process; writes outputs/study/study_results.{json,txt,png}.
study: setup
	@if [ ! -f $(DEMO_DATA)/annotations/instances_train.json ] || [ ! -d $(DEMO_DATA)/masks/val ]; then \
		echo "== creating the demo data in $(DEMO_DATA)"; \
		$(PYTHON) tools/make_demo_data.py --out $(DEMO_DATA); \
	fi
	OMP_NUM_THREADS=$${OMP_NUM_THREADS:-1} $(PYTHON) tools/analysis/downstream_study.py --out-dir outputs/study $(STUDY_ARGS)

benchmark: setup
	$(PYTHON) tools/benchmark_model.py

clean-venv:
	rm -rf .venv
