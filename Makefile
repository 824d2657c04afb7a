# Tidings: `make run` starts the app, `make test` installs what is missing and runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := $(HOME)/.cargo/bin:$(PATH)

# Debian packages: build (webkit2gtk, gtk, OpenCORE AMR and libopus for voicemail, appindicator for the tray),
# end-to-end (driver, Xvfb),
# integration (Dovecot, gnome-keyring on a private D-Bus), screenshots (imagemagick), test audio (ffmpeg, espeak-ng)
# and fax test pages (libtiff-tools).
RUN_PACKAGES  := libwebkit2gtk-4.1-dev libgtk-3-dev libdbus-1-dev pkg-config curl \
                 libopencore-amrnb-dev libopencore-amrwb-dev libopus-dev libayatana-appindicator3-dev
TEST_PACKAGES := $(RUN_PACKAGES) webkit2gtk-driver xvfb dovecot-imapd gnome-keyring libsecret-tools \
                 dbus dbus-x11 openssl imagemagick ffmpeg libavcodec-extra espeak-ng libtiff-tools
TAURI_DRIVER_VERSION := 2.1.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APP := target/debug/tidings-app
KEYRING_SESSION := tests/support/keyring-session.sh

.PHONY: run test deps-run deps-test ui app lint test-rust test-ui test-e2e security-report bundle fuzz bench bench-instructions deps-bench clean

run: deps-run app
	./$(APP)

test: deps-test lint app test-rust test-ui test-e2e
	@echo "make test: all suites passed"

deps-run:
	@$(call apt_install,$(RUN_PACKAGES))
	@[ -d ui/node_modules ] || npm ci --prefix ui --no-audit --no-fund

deps-test: deps-run
	@$(call apt_install,$(TEST_PACKAGES))
	@[ -d tests/e2e/node_modules ] || npm ci --prefix tests/e2e --no-audit --no-fund
	@tauri-driver --help >/dev/null 2>&1 && [ -f "$(HOME)/.cargo/.tidings-tauri-driver-$(TAURI_DRIVER_VERSION)" ] || { \
	  cargo install tauri-driver --version $(TAURI_DRIVER_VERSION) --locked && \
	  touch "$(HOME)/.cargo/.tidings-tauri-driver-$(TAURI_DRIVER_VERSION)"; }

ui:
	npm run --prefix ui build

# The app with the UI embedded (custom-protocol), as the end-to-end suite and `make run` need it,
# and the `tidings` CLI, whose `import` seeds the security suite's cache.
app: ui
	cargo build --features custom-protocol --bin tidings-app
	cargo build -p tidings-cli

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p tidings-voicemail --all-targets --features rust-amr -- -D warnings
	npm run --prefix ui check
	tests/support/check-architecture.sh

test-rust:
	$(KEYRING_SESSION) cargo test --workspace
	# The AMR decoder Windows and macOS get (pure Rust), against the same vectors as OpenCORE.
	cargo test -p tidings-voicemail --features rust-amr

test-ui:
	npm run --prefix ui test

test-e2e: app
	cargo build -p tidings-testkit --bin tidings-test-dovecot
	$(KEYRING_SESSION) tests/e2e/run.sh

# One table of what proves hostile input does no harm (tests/security/report.mjs): the fault
# scenarios, deep input and kill -9 tests are run now; the hostile-mail suite comes from the last
# end-to-end run (run now, about 4 minutes, when there is none); fuzzing from the last `make fuzz`.
SECURITY_TARGET := $(or $(CARGO_TARGET_DIR),target)
security-report:
	@mkdir -p $(SECURITY_TARGET)/security && rm -rf $(SECURITY_TARGET)/tmp/security-report
	@$(KEYRING_SESSION) cargo test -p tidings-imap --test faults 2>&1 | tee $(SECURITY_TARGET)/security/faults.log | grep '^test result' || true
	@cargo test -p tidings-message --test deep_input 2>&1 | grep '^test result' || true
	@$(KEYRING_SESSION) cargo test -p tidings-cli --test sync_crash --test flag_crash 2>&1 | grep '^test result' || true
	@[ -f target/e2e/security.json ] || { $(MAKE) app && E2E_MAIN=0 $(KEYRING_SESSION) tests/e2e/run.sh || true; }
	@node tests/security/report.mjs $(SECURITY_TARGET)

# The Linux .deb (AppImage tooling is downloaded at build time, which these machines cannot do).
bundle: deps-run
	npm run --prefix ui tauri -- build --bundles deb

# Each fuzz target for FUZZ_SECONDS; findings land in fuzz/regressions/ (see fuzz/run.sh).
FUZZ_SECONDS ?= 300
FUZZ_TARGETS := render_html render_text mime_render vvm_sms audio_decode mask_toml
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# `make bench`: the mask engine against talon, quotequail and mail-parser-reply (pinned, in a venv
# under target/bench) and a bare html5ever parse on the same bodies, scaling in quotes and size,
# IMAP sync against a local Dovecot (needs root, like the integration tests), AMR decoding, and
# the release app's cold start to its first painted list with 1 000 and 100 000 cached messages.
# Writes target/bench/report.md, report.json and scaling.svg; asserts nothing; not part of `make test`.
BENCH_PACKAGES := $(RUN_PACKAGES) dovecot-imapd openssl python3-venv xvfb dbus valgrind
BENCH_DIR := target/bench
BENCH_VENV := $(BENCH_DIR)/venv
BENCH_BIN := $(or $(CARGO_TARGET_DIR),target)/release/tidings-bench
BENCH_APP := $(or $(CARGO_TARGET_DIR),target)/release/tidings-app
bench: deps-run deps-bench ui
	cargo build --release -p tidings-bench
	cargo build --release --features custom-protocol --bin tidings-app
	rm -f $(BENCH_DIR)/*.json $(BENCH_DIR)/report.md $(BENCH_DIR)/scaling.svg
	$(BENCH_BIN) inputs $(BENCH_DIR)/inputs
	$(BENCH_BIN) mask $(BENCH_DIR)/inputs $(BENCH_DIR)/tidings.json
	$(BENCH_VENV)/bin/python bench/peers.py $(BENCH_DIR)/inputs $(BENCH_DIR)/peers.json
	$(BENCH_BIN) sync $(BENCH_DIR)/sync.json || echo "bench: the sync bench failed; the report says so"
	$(BENCH_BIN) voicemail $(BENCH_DIR)/voicemail.json
	dbus-run-session -- xvfb-run -a $(BENCH_BIN) app $(BENCH_APP) $(BENCH_DIR)/app.json 2>&1 | grep -v dbus-daemon || \
	  echo "bench: the cold-start bench failed; the report says so"
	$(BENCH_VENV)/bin/python bench/report.py $(BENCH_DIR)
	@echo "make bench: $(BENCH_DIR)/report.md"

# `make bench-instructions`: the mask engine's instructions per message against a bare html5ever
# parse (callgrind), for comparing commits where wall-clock times are too noisy.
bench-instructions: deps-bench
	cargo build --release -p tidings-bench
	$(BENCH_BIN) inputs $(BENCH_DIR)/inputs
	bench/instructions.sh $(BENCH_BIN) $(BENCH_DIR)/inputs

# The venv is rebuilt when the pins change; a peer that does not install is reported, not fatal.
deps-bench:
	@$(call apt_install,$(BENCH_PACKAGES))
	@stamp=$(BENCH_VENV)/.installed-$$(cat bench/requirements.txt bench/constraints.txt | sha256sum | cut -c1-12); \
	if [ ! -f "$$stamp" ]; then \
	  rm -rf $(BENCH_VENV) && python3 -m venv $(BENCH_VENV); \
	  for requirement in $$(grep -v -e '^#' -e '^$$' bench/requirements.txt); do \
	    $(BENCH_VENV)/bin/pip install -q -c bench/constraints.txt "$$requirement" || \
	      echo "bench: $$requirement did not install; the report marks it unavailable"; \
	  done; \
	  touch "$$stamp"; \
	fi

clean:
	cargo clean
	rm -rf ui/dist ui/node_modules tests/e2e/node_modules tests/e2e/logs

define apt_install
missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' || echo "$$p"; done); \
if [ -n "$$missing" ]; then \
  echo "Installing Debian packages:" $$missing; \
  $(SUDO) apt-get update -q; \
  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
fi
endef
