"""Eight-class blobs: a 2-16-32-64-32-16-8 ReLU network, CrossEntropyLoss, full-batch SGD.

    python examples/blobs_multiclass.py --framework minigrad      # or --framework torch

10,000 points in 8 Gaussian blobs (cluster_std 1.5, so neighbouring blobs overlap),
80% for training. The network outputs 8 logits per point; ``CrossEntropyLoss`` takes
them with the integer labels, and a prediction is ``softmax(logits).argmax(dim=1)``.
Every epoch is one SGD step on all 8,000 training points, 1,000 epochs in all.

The tutorial this follows reported 92.75% test accuracy on its own blobs. These blobs
overlap more: a Gaussian classifier that knows the true model of the data (scikit-learn's
QuadraticDiscriminantAnalysis) gets about 80% on this test split, the ceiling for any
model, and the MLP ends near 77%.
Pictures: the decision regions with the test points, and the loss/accuracy curves.
"""
import os

from sklearn.model_selection import train_test_split

import common  # first: it puts the repository on sys.path for `import minigrad`
from minigrad.datasets import blobs

NUM_CLASSES = 8
NUM_FEATURES = 2
LEARNING_RATE = 0.1


def make_model(nn, sizes=(NUM_FEATURES, 16, 32, 64, 32, 16, NUM_CLASSES)):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:  # a ReLU after every layer but the last
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train(args, fw):
    torch, nn = fw.torch, fw.nn

    # 1. Data: 10,000 points in 8 blobs (2,000 with --quick)
    X, y = blobs(n_samples=2000 if args.quick else 10000, n_features=NUM_FEATURES,
                 centers=NUM_CLASSES, cluster_std=1.5, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        random_state=args.seed)
    X_train, y_train = torch.from_numpy(X_train), torch.from_numpy(y_train)
    X_test, y_test = torch.from_numpy(X_test), torch.from_numpy(y_test)
    X_train, y_train = X_train.to(args.device), y_train.to(args.device)
    X_test, y_test = X_test.to(args.device), y_test.to(args.device)

    # 2. Model, loss, optimizer
    model = make_model(nn).to(args.device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = fw.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    # 3. Training loop: one full-batch step per epoch
    history = common.new_history()
    bar = common.progress(range(args.epochs), args, desc=f"blobs_multiclass [{fw.name}]")
    for epoch in bar:
        model.train()
        y_logits = model(X_train)
        y_pred = torch.softmax(y_logits, dim=1).argmax(dim=1)
        loss = loss_fn(y_logits, y_train)
        acc = common.accuracy_fn(y_train, y_pred)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        model.eval()
        with torch.inference_mode():
            test_logits = model(X_test)
            test_pred = torch.softmax(test_logits, dim=1).argmax(dim=1)
            test_loss = loss_fn(test_logits, y_test)
            test_acc = common.accuracy_fn(y_test, test_pred)
        common.record_epoch(history, epoch + 1, loss.item(), test_loss.item(), acc, test_acc)
        bar.set_postfix(loss=f"{loss.item():.4f}", test_acc=f"{test_acc:.1f}%")

    def predict(points):
        model.eval()
        with torch.inference_mode():
            logits = model(torch.from_numpy(points).to(args.device))
            return common.to_numpy(torch.softmax(logits, dim=1).argmax(dim=1))

    return common.Result(accuracy=history["test_acc"][-1], history=history,
                         extra={"predict": predict, "test": (common.to_numpy(X_test),
                                                             common.to_numpy(y_test))})


def plot(args, result, out):
    name = result.framework
    X_test, y_test = result.extra["test"]
    regions = common.plot_boundaries(
        [(result.extra["predict"], X_test, y_test,
          f"test points ({result.accuracy:.2f}% correct)")],
        os.path.join(out, f"{name}_decision_regions.png"),
        title=f"Eight-class blobs: decision regions ({name})")
    curves = common.plot_curves({name: result.history}, os.path.join(out, f"{name}_curves.png"),
                                title=f"Eight-class blobs: CrossEntropyLoss, full-batch SGD lr "
                                      f"{LEARNING_RATE} ({name})")
    return [regions, curves]


def main(argv=None):
    args = common.parse_args(argv, "blobs_multiclass", __doc__, epochs=1000, quick_epochs=5)
    return common.run(args, train, plot)


if __name__ == "__main__":
    main()
