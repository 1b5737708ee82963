# Stratus: `make run` serves the platform with a demo, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Python keeps its compiled modules even where the environment says not to
# (PYTHONDONTWRITEBYTECODE): each server a test starts, each zygote and each test worker
# would otherwise compile ~1,000 modules anew (0.9 s of every server's start-up).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: setup run test test-slow lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: setup
	$(BIN)/stratus up --demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy stratus
	@# Three workers on two cores: the suite's tests spend about a third of their time
	@# waiting (servers starting, timers, retries), and a third worker fills it
	@# (parallel pass 607 s with two workers, 436 s with three, on the 2-core machine).
	$(BIN)/python -m pytest -q -m "not slow and not serial" -n 3 --dist loadfile
	$(BIN)/python -m pytest -q -m "serial and not slow"

test-slow: setup
	$(BIN)/python -m pytest -q -m slow

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy stratus

bench: setup
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .stratus .pytest_cache
