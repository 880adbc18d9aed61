#!/usr/bin/env bash
# Install the Debian packages the project needs, only when missing: `fonts` (a CJK font for printed
# tags) and `chromium` (browser tests). Needs root (or sudo) on a Debian-like machine.
set -euo pipefail

want=()
for dep in "$@"; do
  case "$dep" in
    fonts)
      if ! fc-list 2>/dev/null | grep -qiE 'wqy|noto sans cjk|source han' && ! ls /usr/share/fonts/truetype/wqy/*.ttc >/dev/null 2>&1; then
        want+=(fonts-wqy-microhei fontconfig)
      fi ;;
    chromium)
      [ -x /usr/bin/chromium ] || want+=(chromium) ;;
    *) echo "system-deps: unknown dependency '$dep'" >&2; exit 2 ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${want[*]}"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
  echo "system-deps: please install as root: apt-get install ${want[*]}" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
