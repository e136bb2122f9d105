"""scikit-learn's SelectKBest(f_classif, k=2) + LogisticRegression on Quiver's iris-select split.

Measures the peer, not the product: the rows come from Quiver's own split code
(bench/iris-select-split.ts, the seed and holdout of pipelines/iris-select.yaml), so the holdout
accuracy printed here compares directly with `npx quiver run pipelines/iris-select.yaml --wait`.

    python3 bench/iris-select-sklearn.py        # needs numpy and scikit-learn
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import sklearn
from sklearn.feature_selection import SelectKBest, f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def main() -> None:
    split = json.loads(
        subprocess.run(
            ["npx", "tsx", os.path.join(ROOT, "bench", "iris-select-split.ts")],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    with open(os.path.join(ROOT, "data", "iris.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([r["species"] for r in rows])
    train, holdout = np.array(split["train"]), np.array(split["holdout"])

    model = make_pipeline(SelectKBest(f_classif, k=2), LogisticRegression(max_iter=1000))
    model.fit(X[train], y[train])
    selector = model.named_steps["selectkbest"]
    selected = [FEATURES[i] for i in selector.get_support(indices=True)]
    accuracy = float((model.predict(X[holdout]) == y[holdout]).mean())
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "trainRows": len(train),
        "holdoutRows": len(holdout),
        "fClassifScores": dict(zip(FEATURES, map(float, selector.scores_))),
        "selected": selected,
        "holdoutAccuracy": accuracy,
    }, indent=2))


if __name__ == "__main__":
    sys.exit(main())
