# The two commands of the README. Both install what they need first
# (bin/bootstrap: Debian packages, the virtualenv, the OpenSearch runner).
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: demo test bootstrap clean

bootstrap:
	bash bin/bootstrap

demo: bootstrap
	.venv/bin/yuqing demo $(DEMO_ARGS)

test: bootstrap
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	-.venv/bin/yuqing services down
	rm -rf .run
