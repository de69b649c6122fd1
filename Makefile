.PHONY: install dev test test-fast test-e2e lint fixtures

install:  ## install the locked environment
	uv sync --frozen

dev:  ## install with the fixture-generation extras (needs LibreOffice and Chromium to regenerate PDFs)
	uv sync --frozen --all-groups

test:
	uv run pytest

test-fast:  ## the suite without the tests marked slow or e2e: under a minute
	uv run pytest -m "not slow and not e2e"

test-e2e:  ## the end-to-end tier `make test` leaves out (CI runs it; some tests need Chromium, unshare)
	uv run pytest -m e2e -n 0

lint:
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy  # extract/ and expectations/: [tool.mypy] files in pyproject.toml
	# the dbt templater opens the profile's DuckDB file: point it at data/ from the repository root
	mkdir -p data && SELFEVAL_BUILD_DB=$(CURDIR)/data/lint.duckdb uv run sqlfluff lint dbt_project/models
	uv run sqlfluff lint --templater raw expectations/rules  # plain SQL, no dbt

fixtures:  ## regenerate the committed fixture PDFs and truth (needs LibreOffice, Chromium + fonts-noto-cjk)
	uv run --group fixtures python -m tests.fixtures.generator
	uv run --group fixtures python -m tests.fixtures.generator projects
