# dos_mm: `make demo` and `make test` install what is missing first.
SHELL := /bin/bash
VENV_PY := $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV)/bin/python,$(CURDIR)/.venv/bin/python)
THREADS ?= $(shell nproc)
RUN := OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS) $(VENV_PY)

.PHONY: install test test-all demo lint clean-demo waymo-env cuda-smoke

install:
	@bash tools/install.sh

test: install
	$(RUN) -m pytest -m "not slow" -q -p no:cacheprovider --durations=10 tests

test-all: install
	$(RUN) -m pytest -q -p no:cacheprovider --durations=15 tests

demo: install
	$(RUN) tools/demo.py --work-dir work_dirs/demo

lint: install
	$(VENV_PY) -m flake8 dos_mm tools tests configs
	$(VENV_PY) -m isort --check-only --diff dos_mm tools tests
	$(VENV_PY) -m yapf --diff --recursive dos_mm tools tests

cuda-smoke: install
	$(RUN) -m pytest -q -p no:cacheprovider tests/test_device
	$(RUN) tools/cuda_smoke.py --out work_dirs/cuda_smoke

waymo-env:
	@bash tools/install_waymo_env.sh

clean-demo:
	rm -rf work_dirs/demo
