#!/usr/bin/env bash
# Debian packages the test suite needs beyond Node: Chromium (the Temporal UI browser test), Mesa's
# software Vulkan driver (the WebGPU training test) and docker-compose 1.29 (CI validates the cluster's
# compose file with it; it needs no Docker engine for `config`). Dawn rejects bookworm's Mesa 22.x, so the Vulkan
# driver comes from bookworm-backports (25.x). Idempotent. `npm test` and .ci/run run it first; where it
# cannot install (not root, no apt-get) it says what is missing and exits 0: the suites that need the
# packages then fail with that reason (test/support/system-packages.ts), never skip.
set -euo pipefail
have_vulkan_driver() { ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 &&
  dpkg --compare-versions "$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)" ge 25; }
if command -v chromium >/dev/null && command -v docker-compose >/dev/null && have_vulkan_driver; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  why=$([ "$(id -u)" -ne 0 ] && echo "not root" || echo "no apt-get (not Debian/Ubuntu)")
  echo "install-system-packages: $why; the browser and WebGPU suites will fail until Chromium, the Vulkan" \
    "loader and Mesa's lavapipe (>= 25) are installed, and CI's compose check until docker-compose is" \
    "(README: Running the tests)" >&2
  exit 0
fi
echo "install-system-packages: installing chromium, libvulkan1, mesa-vulkan-drivers, docker-compose (once)..." >&2
. /etc/os-release
export DEBIAN_FRONTEND=noninteractive
if [ "${VERSION_CODENAME:-}" = bookworm ] && [ ! -f /etc/apt/sources.list.d/bookworm-backports.sources ]; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    >/etc/apt/sources.list.d/bookworm-backports.sources
fi
apt-get update -q
apt-get install -y -q --no-install-recommends chromium libvulkan1 fonts-dejavu-core docker-compose
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers
else
  apt-get install -y -q --no-install-recommends mesa-vulkan-drivers
fi
