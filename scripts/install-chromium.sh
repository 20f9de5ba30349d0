#!/bin/sh
# Install Debian's chromium (the headless browser the review page's tests use) and its
# chromedriver (they drive the page's graph through WebDriver) when missing, saying first
# what apt-get will install. Not needed to use kreg; the tests skip without them.
here="$(dirname "$0")"
sh "$here/install-system-package.sh" chromium chromium optional \
    "make test screenshots kreg review's page in a headless chromium (tests/review/test_review_browser.py); kreg itself never needs a browser"
exec sh "$here/install-system-package.sh" chromedriver chromium-driver optional \
    "make test clicks through the review page's graph in chromium (tests/review/test_review_interactive.py); kreg itself never needs it"
