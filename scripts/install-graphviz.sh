#!/bin/sh
# Install graphviz's `dot` (needed by `kreg plot` and the docs' graphs) when it is missing,
# saying first what apt-get will install.
exec sh "$(dirname "$0")/install-system-package.sh" dot graphviz required \
    "kreg plot, kreg review and the docs draw graphs with graphviz's 'dot' (make setup, make run, make test)"
