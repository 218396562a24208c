# mmlab: make run (quick start) | make test | make build | make bench | make install | make clean
# Every target installs missing Debian packages first (scripts/deps.sh).

BUILD      ?= build
COMMA      := ,
MESON_OPTS ?= --buildtype=release -Db_ndebug=false
PREFIX     ?= /usr/local

.PHONY: all deps build build-asan build-tsan run test bench install clean

all: build

deps:
	@./scripts/deps.sh

# meson's output only when it fails
QUIET = out=$$($(1) 2>&1) || { echo "$$out"; exit 1; }

$(BUILD)/build.ninja: | deps
	@$(call QUIET,meson setup $(BUILD) $(MESON_OPTS))

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

build-asan/build.ninja: | deps
	@$(call QUIET,meson setup build-asan --buildtype=debugoptimized -Db_sanitize=address$(COMMA)undefined -Db_lundef=false)

build-asan: deps build-asan/build.ninja
	@ninja -C build-asan >/dev/null || ninja -C build-asan

build-tsan/build.ninja: | deps
	@$(call QUIET,env CC=clang meson setup build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false -Dtsan=true)

build-tsan: deps build-tsan/build.ninja
	@ninja -C build-tsan >/dev/null || ninja -C build-tsan

# the README's quick start: a scenario, its diff with this kernel, a
# mechanism turned on (seconds); every benchmark is `make bench`
run: build
	@./scripts/quickstart.sh $(BUILD)/mmlab

bench: build
	@$(BUILD)/mmlab bench

test: build build-asan build-tsan
	@./scripts/run-tests.sh

# the CLI, libmmlab.a, include/mmlab/mmlab.h and mmlab.pc under PREFIX
# (lib/pkgconfig/mmlab.pc; docs/c-api.md)
install: build
	@$(call QUIET,meson configure $(BUILD) -Dprefix=$(abspath $(PREFIX)) -Dlibdir=lib)
	@$(call QUIET,meson install -C $(BUILD))
	@echo "installed under $(abspath $(PREFIX)): bin/mmlab, lib/libmmlab.a, include/mmlab/mmlab.h, lib/pkgconfig/mmlab.pc"

clean:
	rm -rf build build-asan build-tsan
