# The build is the documentation of the build: `make help` lists every target.
SHELL := /bin/bash
MVN ?= mvn -B -ntp
BENCH_CACHE ?= $(HOME)/.cache/brokerops-bench
export BENCH_CACHE
# The test classpath, for running the bench and the operator outside Maven (Ctrl-C reaches them directly).
CLASSPATH_FILE := target/test-classpath.txt
JAVA_RUN = java -cp target/test-classes:target/classes:$$(cat $(CLASSPATH_FILE))

.DEFAULT_GOAL := help

.PHONY: help
help: ## List every target with one line each
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: bench-binaries
bench-binaries: ## Build etcd, kube-apiserver, kube-controller-manager, kubectl from Go modules into $(BENCH_CACHE) (once)
	bash src/test/bench/build-binaries.sh

CRD_FILE := brokerupgrades.upgrades.brokerops.dev-v1.yml

.PHONY: build
build: ## Compile, run the pure unit tests (*Test; one fails when crds/ is stale)
	$(MVN) package

.PHONY: crds
crds: ## Regenerate the CRD from the Java types and copy it into crds/ (commit it)
	$(MVN) -q process-classes
	cp target/generated-crds/$(CRD_FILE) crds/$(CRD_FILE)

.PHONY: test
test: bench-binaries ## Run every test: *Test, then *IT and *E2E on the real bench
	$(MVN) verify

$(CLASSPATH_FILE): pom.xml
	$(MVN) -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$(CLASSPATH_FILE)

.PHONY: format
format: ## Format all Java with google-java-format (the build's spotless check fails on unformatted code)
	$(MVN) -q spotless:apply

.PHONY: compile
compile: $(CLASSPATH_FILE) ## Compile main and test code and write the test classpath (used by cluster, demo, run)
	$(MVN) -q test-compile

.PHONY: cluster
cluster: bench-binaries compile ## Start the bench with PostgreSQL in the foreground for a person (kubectl works); Ctrl-C stops it
	$(JAVA_RUN) dev.brokerops.bench.BenchMain

.PHONY: demo
demo: bench-binaries compile ## The operator's main job on the bench: a writing 3-replica broker upgraded 1.0.0 -> 2.1.0 (two hops), with figures
	$(JAVA_RUN) -Dbench.log.level=WARN dev.brokerops.e2e.DemoMain

.PHONY: bench
bench: bench-binaries compile ## Cost benchmark (issue #10): operator vs a kubectl script, step latency, API cost, availability, scale; one table + target/bench/cost-benchmark.csv (~20 min; root, own network namespace)
	$(MVN) -q package -DskipTests
	src/test/bench/own-netns.sh $(JAVA_RUN) -Dbench.log.level=WARN $(BENCH_OPTS) dev.brokerops.perf.CostBenchmarkMain

.PHONY: run
run: compile ## Run the operator against the current kubeconfig (WATCH_NAMESPACES=a,b to limit it)
	$(JAVA_RUN) dev.brokerops.upgrade.OperatorMain
