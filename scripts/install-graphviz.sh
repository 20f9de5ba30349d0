#!/bin/sh
# Install graphviz's `dot` (needed by `kreg plot`) when it is missing.
set -e
command -v dot >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing graphviz with apt-get"
    apt-get install -y -qq graphviz >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq graphviz >/dev/null; }
elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo apt-get install -y -qq graphviz
elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
else
    echo "kreg: graphviz's 'dot' is missing and could not be installed here; install graphviz with your package manager" >&2
    exit 1
fi
command -v dot >/dev/null
