# The two commands of the README. Both install what they need first
# (bin/bootstrap: Debian packages, the virtualenv, the OpenSearch runner).
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: demo test bench bootstrap clean

bootstrap:
	bash bin/bootstrap

demo: bootstrap
	.venv/bin/yuqing demo $(DEMO_ARGS)

test: bootstrap
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks (not tests): results in benchmarks/results/; BENCH_ARGS="--only rules" runs one.
bench: bootstrap
	$(PY) -m benchmarks.run $(BENCH_ARGS)

clean:
	-.venv/bin/yuqing services down
	rm -rf .run
