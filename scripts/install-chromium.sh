#!/bin/sh
# Install Debian's chromium (the headless browser the review page's test screenshots
# with) when it is missing, saying first what apt-get will install. Not needed to use
# kreg; the test skips without it.
exec sh "$(dirname "$0")/install-system-package.sh" chromium chromium optional \
    "make test screenshots kreg review's page in a headless chromium (tests/review/test_review_browser.py); kreg itself never needs a browser"
