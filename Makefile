# baocao: the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export BAOCAO_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test lint format messages bench serve install clean-venv

# Reinstall only when the dependency list changes, so a second `make demo` is fast.
$(BIN)/.installed: pyproject.toml scripts/bootstrap.sh scripts/ensure-system-packages.sh
	PYTHON=$(PYTHON) VENV=$(VENV) sh scripts/bootstrap.sh
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/baocao migrate --no-input -v 0
	$(BIN)/baocao units load-vn
	$(BIN)/baocao catalogue load-sample
	$(BIN)/baocao demo_admin
	$(BIN)/baocao demo_reporting
	$(BIN)/baocao demo_quality
	$(BIN)/baocao demo_direction
	$(BIN)/baocao analytics rebuild > /dev/null
	@echo "baocao: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# The worker runs background jobs (batch validation) beside the site and stops with it.
	$(BIN)/baocao db_worker --interval 1 --no-startup-delay & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/baocao runserver $(HOST):$(PORT)

serve: install
	$(BIN)/baocao runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check baocao
	$(BIN)/ruff format --check baocao
	$(BIN)/mypy baocao

format: install
	$(BIN)/ruff format baocao
	$(BIN)/ruff check --fix baocao

messages: install
	cd baocao && ../$(BIN)/baocao makemessages -l vi -l en --no-obsolete --add-location file
	cd baocao && ../$(BIN)/baocao compilemessages

# A throwaway SQLite database each time, so the first national load is measured too. The
# analytics benchmark defaults to the issue's 100 million values (about an hour with its
# PostgreSQL baseline); `make bench BENCH_ANALYTICS_VALUES=1000000` for a quick run.
BENCH_ANALYTICS_VALUES ?= 100000000
bench: install
	@tmp=$$(mktemp -d) && BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao migrate -v 0 && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_units && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_catalogue && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_reports && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_import && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_validation --values 1000000 && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench analytics --values $(BENCH_ANALYTICS_VALUES) && \
	  BAOCAO_DATA_DIR=$$tmp $(BIN)/baocao bench_direction; \
	  status=$$?; rm -rf $$tmp; exit $$status

clean-venv:
	rm -rf $(VENV)
