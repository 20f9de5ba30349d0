#!/bin/sh
# Install a system package that a make target needs, saying first what will be
# installed and why, with the figures apt-get itself gives.
#
#   sh scripts/install-system-package.sh COMMAND PACKAGE NEED WHY
#
# COMMAND  the program that must be on PATH (nothing happens when it is)
# PACKAGE  the Debian package (and Homebrew formula) that provides it
# NEED     "required" (exit 1 when it cannot be installed) or "optional"
#          (exit 0: the tests that use it skip)
# WHY      one sentence: what kreg uses it for
#
# KREG_NO_SYSTEM_INSTALL=1 says what would be installed and installs nothing.
set -e
command_name=$1 package=$2 need=$3 why=$4
command -v "$command_name" >/dev/null 2>&1 && exit 0

say() { echo "kreg: $*" >&2; }

give_up() {
    say "$1"
    if [ "$need" = required ]; then
        say "install $package with your package manager, then run make again"
        exit 1
    fi
    say "the tests that need $command_name will be skipped"
    exit 0
}

# Print the size of the install as apt-get's own simulation reports it:
# "N upgraded, M newly installed, ..." and which installed packages it upgrades.
describe_apt_install() {
    simulation=$(apt-get install -s -y "$package" 2>/dev/null) || return 1
    summary=$(printf '%s\n' "$simulation" | grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' || true)
    [ -n "$summary" ] || return 1
    # An upgrade names the installed version in brackets right after the package
    # ("Inst libc6 [2.36-9] (2.36-9+deb12u4 ...)"); a new package has only the
    # architecture in brackets, further on ("Inst cowsay (3.03 ... [all])").
    upgraded=$(printf '%s\n' "$simulation" | awk '/^Inst / && $3 ~ /^\[/ {print $2}' | tr '\n' ' ' | sed 's/ $//')
    say "apt-get install $package: $summary"
    if [ -n "$upgraded" ]; then
        say "packages it upgrades: $upgraded"
    fi
}

say "$why"
say "'$command_name' is missing, so make installs Debian's $package now (set KREG_NO_SYSTEM_INSTALL=1 to skip)"

if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        run=""
    elif command -v sudo >/dev/null 2>&1; then
        run="sudo"
    else
        give_up "apt-get needs root and sudo is missing: not installing $package"
    fi
    if ! describe_apt_install; then
        say "refreshing apt's package lists first (apt-get update)"
        $run apt-get update -qq
        describe_apt_install || give_up "apt-get cannot install $package here"
    fi
    if [ -n "$KREG_NO_SYSTEM_INSTALL" ]; then
        give_up "KREG_NO_SYSTEM_INSTALL is set: not installing $package"
    fi
    DEBIAN_FRONTEND=noninteractive $run apt-get install -y -qq "$package" >/dev/null
elif [ "$need" = required ] && command -v brew >/dev/null 2>&1; then
    [ -z "$KREG_NO_SYSTEM_INSTALL" ] || give_up "KREG_NO_SYSTEM_INSTALL is set: not installing $package"
    say "installing $package with Homebrew"
    brew install "$package"
else
    give_up "no apt-get here to install $package with"
fi
command -v "$command_name" >/dev/null 2>&1 || give_up "$package was installed but '$command_name' is still not on PATH"
say "installed $package ($(command -v "$command_name"))"
