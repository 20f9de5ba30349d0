"""kreg's plugin contract, checked by kreg.testing: one test per check and per architecture."""

from kreg.testing import contract_tests

TestKregContract = contract_tests("example")
