#!/usr/bin/env bash
# System packages yingji needs beyond Python (Debian/Ubuntu, run as root):
#   libreoffice-writer-nogui  converts legacy Word (.doc) and WPS files to DOCX for the parser
#   python3-uno               LibreOffice's Python bridge: drives the parser's warm converters
#   postgresql                the production database (and the PostgreSQL half of the test suite)
#   python3-venv              for the README's virtual environment on a stock Debian
#   chromium chromium-driver  headless browser for the test of `yingji serve` (tests/system/test_serve_browser.py)
#   fonts-noto-cjk            Chinese glyphs in that browser's screenshots (docs/screenshots)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  libreoffice-writer-nogui python3-uno postgresql python3-venv ca-certificates \
  chromium chromium-driver fonts-noto-cjk >/dev/null
echo "system packages installed: $(soffice --version 2>/dev/null | head -1); $(ls /usr/lib/postgresql); $(chromium --version 2>/dev/null)"
