# dos_mm: `make demo` and `make test` install what is missing first.
SHELL := /bin/bash
VENV_PY := $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV)/bin/python,$(CURDIR)/.venv/bin/python)
THREADS ?= $(shell nproc)
RUN := OMP_NUM_THREADS=$(THREADS) MKL_NUM_THREADS=$(THREADS) $(VENV_PY)
# On CPU, glibc's allocator keeps the memory of freed tensors: a pretraining
# process grows while it runs. jemalloc, where installed (Debian/Ubuntu:
# libjemalloc2), is preloaded for the demo (docs/speed.md#memory-on-cpu);
# MALLOC=system keeps glibc's.
MALLOC ?= jemalloc
JEMALLOC := $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 \
	/usr/lib/aarch64-linux-gnu/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2 \
	/usr/lib/libjemalloc.so.2 /usr/local/lib/libjemalloc.so.2))
PRELOAD := $(if $(and $(filter jemalloc,$(MALLOC)),$(JEMALLOC)),LD_PRELOAD=$(JEMALLOC) )

.PHONY: install test test-all demo lint clean-demo waymo-env cuda-smoke

install:
	@bash tools/install.sh

test: install
	$(RUN) -m pytest -m "not slow" -q -p no:cacheprovider --durations=10 tests

test-all: install
	$(RUN) -m pytest -q -p no:cacheprovider --durations=15 tests

demo: install
	@$(if $(filter jemalloc,$(MALLOC)),$(if $(JEMALLOC),,echo "note: jemalloc not found \
(apt-get install libjemalloc2): glibc's allocator, slower on CPU (docs/speed.md#memory-on-cpu)"))
	$(PRELOAD)$(RUN) tools/demo.py --work-dir work_dirs/demo

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
