"""Two-class blobs: a small MLP learns a binary decision with BCEWithLogitsLoss.

    python examples/blobs_binary.py --framework minigrad      # or --framework torch

The model is Input -> Hidden -> ReLU -> Hidden -> ReLU -> Output with one output unit;
``forward`` returns ``squeeze(1)`` logits (shape [N], like the labels), the loss is
``BCEWithLogitsLoss`` (sigmoid + binary cross-entropy in one stable step), and a
prediction is ``round(sigmoid(logit))``. Pictures: the decision boundary with the
training and test points, and the loss/accuracy curves.
"""
import os
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

import common  # first: it puts the repository on sys.path for `import minigrad`
from minigrad.datasets import blobs


@dataclass
class HyperParameters:
    n_samples: int = 1000
    cluster_std: float = 1.5
    hidden_units: int = 8
    learning_rate: float = 0.01
    epochs: int = 300
    test_size: float = 0.2
    random_state: int = 42


def make_model(nn, hp):
    class BlobModel(nn.Module):
        def __init__(self, input_features=2, output_features=1, hidden_units=8):
            super().__init__()
            self.layer_1 = nn.Linear(input_features, hidden_units)
            self.layer_2 = nn.Linear(hidden_units, hidden_units)
            self.layer_3 = nn.Linear(hidden_units, output_features)
            self.relu = nn.ReLU()

        def forward(self, x):
            # Input -> Hidden -> ReLU -> Hidden -> ReLU -> Output, one logit per point
            return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x))))).squeeze(1)

    return BlobModel(hidden_units=hp.hidden_units)


def train(args, fw):
    torch, nn = fw.torch, fw.nn
    hp = HyperParameters(epochs=args.epochs, random_state=args.seed)

    # 1. Data: two Gaussian blobs, 80% for training and 20% for testing
    X, y = blobs(n_samples=hp.n_samples, centers=2, cluster_std=hp.cluster_std,
                 random_state=hp.random_state)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=hp.test_size,
                                                        random_state=hp.random_state)
    X_train, X_test = torch.from_numpy(X_train), torch.from_numpy(X_test)
    y_train = torch.from_numpy(y_train).float()  # BCE wants float targets
    y_test = torch.from_numpy(y_test).float()
    X_train, y_train = X_train.to(args.device), y_train.to(args.device)
    X_test, y_test = X_test.to(args.device), y_test.to(args.device)

    # 2. Model, loss, optimizer
    model = make_model(nn, hp).to(args.device)
    loss_fn = nn.BCEWithLogitsLoss()
    optimizer = fw.optim.SGD(model.parameters(), lr=hp.learning_rate)

    # 3. Training loop (full batch)
    history = common.new_history()
    bar = common.progress(range(hp.epochs), args, desc=f"blobs_binary [{fw.name}]")
    for epoch in bar:
        model.train()
        y_logits = model(X_train)
        y_pred = torch.round(torch.sigmoid(y_logits))
        loss = loss_fn(y_logits, y_train)
        acc = common.accuracy_fn(y_train, y_pred)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        model.eval()
        with torch.inference_mode():
            test_logits = model(X_test)
            test_pred = torch.round(torch.sigmoid(test_logits))
            test_loss = loss_fn(test_logits, y_test)
            test_acc = common.accuracy_fn(y_test, test_pred)
        common.record_epoch(history, epoch + 1, loss.item(), test_loss.item(), acc, test_acc)
        bar.set_postfix(loss=f"{loss.item():.4f}", test_acc=f"{test_acc:.1f}%")

    def predict(points):
        model.eval()
        with torch.inference_mode():
            logits = model(torch.from_numpy(points).to(args.device))
            return common.to_numpy(torch.round(torch.sigmoid(logits))).astype(np.int64)

    data = {"train": (common.to_numpy(X_train), common.to_numpy(y_train).astype(np.int64)),
            "test": (common.to_numpy(X_test), common.to_numpy(y_test).astype(np.int64))}
    return common.Result(accuracy=history["test_acc"][-1], history=history,
                         extra={"predict": predict, "data": data, "hp": hp})


def plot(args, result, out):
    name = result.framework
    (X_train, y_train), (X_test, y_test) = result.extra["data"].values()
    predict = result.extra["predict"]
    boundary = common.plot_boundaries(
        [(predict, X_train, y_train, "train"),
         (predict, X_test, y_test, f"test ({result.accuracy:.1f}% correct)")],
        os.path.join(out, f"{name}_decision_boundary.png"),
        title=f"Two-class blobs: decision boundary of the MLP ({name})")
    curves = common.plot_curves({name: result.history},
                                os.path.join(out, f"{name}_curves.png"),
                                title=f"Two-class blobs: BCEWithLogitsLoss, SGD lr "
                                      f"{result.extra['hp'].learning_rate} ({name})")
    return [boundary, curves]


def main(argv=None):
    args = common.parse_args(argv, "blobs_binary", __doc__, epochs=HyperParameters.epochs,
                             quick_epochs=5)
    return common.run(args, train, plot)


if __name__ == "__main__":
    main()
