"""``kreg check`` says whether each row's loss fell (``learned``); ``--require-learning`` fails those that did not.

The issue: a check "pass" meant only finite losses (risk-factor 0.0218 ->
0.0292 and hypernetwork 2.249 -> 2.469 both passed).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest


def test_learned_is_in_json_and_junit_and_require_learning_fails_a_loss_that_did_not_fall(faults, tmp_path):
    junit = tmp_path / "check.xml"
    result = faults.kreg(
        "check", "fault-learns", "fault-stuck", "--require-learning", "--json", "--junit-xml", str(junit)
    )
    assert result.returncode == 1, result.stderr
    rows = {row["architecture"]: row for row in json.loads(result.stdout)["results"]}
    assert (rows["fault-learns"]["status"], rows["fault-learns"]["learned"]) == ("pass", True)
    stuck = rows["fault-stuck"]
    assert (stuck["status"], stuck["learned"], stuck["phase"]) == ("fail", False, "train")
    loss = stuck["metrics"]["loss"]["first"]
    assert stuck["cause"] == (
        f"loss did not fall in 3 steps ({loss:.6g} -> {loss:.6g}); --require-learning asks that it does"
    )
    assert result.stderr.strip().splitlines()[-1] == "kreg: error: 1 of 2 architectures failed the check: fault-stuck"
    cases = {case.get("name"): case for case in ElementTree.parse(junit).getroot().iter("testcase")}
    learned = {name: case.find("properties/property[@name='learned']").get("value") for name, case in cases.items()}
    assert learned == {"fault-learns": "true", "fault-stuck": "false"}
    assert cases["fault-stuck"].find("failure") is not None and cases["fault-learns"].find("failure") is None


@pytest.mark.slow  # another kreg check; the test above covers learned
def test_without_require_learning_the_table_says_the_loss_did_not_fall(faults):
    result = faults.kreg("check", "fault-stuck")
    assert result.returncode == 0, result.stderr
    assert "(did not fall)" in result.stdout
