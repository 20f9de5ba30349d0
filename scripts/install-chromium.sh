#!/bin/sh
# Install Debian's chromium (the headless browser the review-page test screenshots with)
# when it is missing. Not needed to use kreg; the test skips without it.
set -e
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo apt-get install -y -qq chromium
else
    echo "kreg: chromium is missing and could not be installed here; the browser test of kreg review will be skipped" >&2
    exit 0
fi
command -v chromium >/dev/null
