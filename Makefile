# The two commands of the README. Each does all of its own set-up on a fresh Debian machine.
BUILD_DIR ?= build
OUT ?= results/quickstart
JOBS ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: run test build deps format clean bench

run: build
	./$(BUILD_DIR)/vfo sim scenarios/quickstart.yaml --out $(OUT)
	./$(BUILD_DIR)/vfo sweep scenarios/quickstart.yaml --out $(OUT)/sweep
	./$(BUILD_DIR)/vfo demo --kills 5 --out results/demo

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

build: deps
	cmake --preset release -B $(BUILD_DIR) $(CMAKE_ARGS) > /dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

deps:
	@bash scripts/install-deps

bench: build
	./$(BUILD_DIR)/bench/vfo_bench

format:
	find src include tests bench -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
