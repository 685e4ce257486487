#!/usr/bin/env bash
# Debian packages the tests need: PostgreSQL (server), Chromium (browser tests), Pango and fonts
# (WeasyPrint PDFs), poppler-utils (pdftoppm), Node's npm (to install axe-core for the accessibility
# tests, from tests/a11y/package-lock.json). Installs only what is missing; needs root for Debian's.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
command -v npm >/dev/null || need+=(nodejs npm)

install_axe() {  # the accessibility tests inject this copy of axe-core into pages: no CDN
  [ -f tests/a11y/node_modules/axe-core/axe.min.js ] && return 0
  echo "Installing axe-core (tests/a11y/package-lock.json)"
  npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
}
cd "$(dirname "$0")/.."
if [ ${#need[@]} -eq 0 ]; then
  install_axe
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi
echo "Installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
install_axe
