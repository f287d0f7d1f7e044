# The build is the documentation of the build: `make help` lists every target.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
BENCH_CACHE ?= $(HOME)/.cache/brokerops-bench
export BENCH_CACHE

.DEFAULT_GOAL := help

.PHONY: help
help: ## List every target with one line each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: bench-binaries
bench-binaries: ## Build etcd, kube-apiserver, kube-controller-manager, kubectl from Go modules into $(BENCH_CACHE) (once)
	bash src/test/bench/build-binaries.sh

.PHONY: build
build: ## Compile, generate the CRD into crds/, run the pure unit tests (*Test)
	$(MVN) package

.PHONY: test
test: bench-binaries ## Run every test: *Test, then *IT and *E2E on the real bench
	$(MVN) verify
