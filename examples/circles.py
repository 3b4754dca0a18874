"""Two circles: why a network needs non-linearity.

    python examples/circles.py --framework minigrad      # or --framework torch

1,000 points on two concentric circles (noise 0.03): the inner circle is class 1, the
outer class 0. Two models, each returning ``squeeze(1)`` logits for BCEWithLogitsLoss:

- ``CircleModelLinear``: Linear(2, 5) -> Linear(5, 1), trained with SGD. Two linear layers
  in a row are still one linear map, so its decision boundary is a straight line: it
  cannot separate a circle from the ring around it and stays near 50% (a coin flip).
- ``CircleModelReLU``: Linear(2, 10) -> ReLU -> Linear(10, 10) -> ReLU -> Linear(10, 1),
  trained with Adam: the ReLUs let it bend the boundary into a closed curve, above 97%.

Pictures: both decision boundaries side by side (with the test points), and both models'
loss/accuracy curves.
"""
import os

import numpy as np
from sklearn.model_selection import train_test_split

import common  # first: it puts the repository on sys.path for `import minigrad`
from minigrad.datasets import circles

MODELS = {
    # name: (optimizer, learning rate)
    "linear": ("SGD", 0.1),
    "relu": ("Adam", 0.01),
}


def make_models(nn):
    class CircleModelLinear(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(2, 5)
            self.layer_2 = nn.Linear(5, 1)

        def forward(self, x):
            return self.layer_2(self.layer_1(x)).squeeze(1)

    class CircleModelReLU(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer_1 = nn.Linear(2, 10)
            self.layer_2 = nn.Linear(10, 10)
            self.layer_3 = nn.Linear(10, 1)
            self.relu = nn.ReLU()

        def forward(self, x):
            return self.layer_3(self.relu(self.layer_2(self.relu(self.layer_1(x))))).squeeze(1)

    return {"linear": CircleModelLinear(), "relu": CircleModelReLU()}


def fit(fw, args, model, optimizer, X_train, y_train, X_test, y_test, label):
    """Full-batch training for ``args.epochs`` epochs; returns the history."""
    torch = fw.torch
    loss_fn = fw.nn.BCEWithLogitsLoss()
    history = common.new_history()
    bar = common.progress(range(args.epochs), args, desc=f"circles {label} [{fw.name}]")
    for epoch in bar:
        model.train()
        y_logits = model(X_train)
        loss = loss_fn(y_logits, y_train)
        acc = common.accuracy_fn(y_train, torch.round(torch.sigmoid(y_logits)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

        model.eval()
        with torch.inference_mode():
            test_logits = model(X_test)
            test_loss = loss_fn(test_logits, y_test)
            test_acc = common.accuracy_fn(y_test, torch.round(torch.sigmoid(test_logits)))
        common.record_epoch(history, epoch + 1, loss.item(), test_loss.item(), acc, test_acc)
        bar.set_postfix(loss=f"{loss.item():.4f}", test_acc=f"{test_acc:.1f}%")
    return history


def train(args, fw):
    torch = fw.torch

    X, y = circles(n_samples=1000, noise=0.03, random_state=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        random_state=args.seed)
    X_train = torch.from_numpy(X_train).to(args.device)
    X_test = torch.from_numpy(X_test).to(args.device)
    y_train = torch.from_numpy(y_train).float().to(args.device)
    y_test = torch.from_numpy(y_test).float().to(args.device)

    histories, predicts, accuracies = {}, {}, {}
    for name, model in make_models(fw.nn).items():
        model.to(args.device)
        opt_name, lr = MODELS[name]
        optimizer = getattr(fw.optim, opt_name)(model.parameters(), lr=lr)
        histories[name] = fit(fw, args, model, optimizer, X_train, y_train, X_test, y_test,
                              name)
        accuracies[name] = histories[name]["test_acc"][-1]

        def predict(points, model=model):
            model.eval()
            with torch.inference_mode():
                logits = model(torch.from_numpy(points).to(args.device))
                return common.to_numpy(torch.round(torch.sigmoid(logits))).astype(np.int64)
        predicts[name] = predict

    # One history with both models' curves, for the summary plot and --compare.
    history = {"epoch": histories["relu"]["epoch"]}
    for name, h in histories.items():
        for key in ("train_loss", "test_loss", "test_acc"):
            history[f"{name}_{key}"] = h[key]
    return common.Result(
        accuracy=accuracies["relu"], history=history,
        extra={"predicts": predicts, "accuracies": accuracies,
               "test": (common.to_numpy(X_test), common.to_numpy(y_test).astype(np.int64))},
        notes=[f"linear model ({MODELS['linear'][0]}): test accuracy "
               f"{accuracies['linear']:.2f}%; ReLU model ({MODELS['relu'][0]}): "
               f"{accuracies['relu']:.2f}% (the summary's accuracy)"])


CURVES = [("loss", [("linear_train_loss", "linear: train loss"),
                    ("linear_test_loss", "linear: test loss"),
                    ("relu_train_loss", "ReLU: train loss"),
                    ("relu_test_loss", "ReLU: test loss")]),
          ("test accuracy (%)", [("linear_test_acc", "linear: test accuracy"),
                                 ("relu_test_acc", "ReLU: test accuracy")])]


def plot(args, result, out):
    name = result.framework
    X_test, y_test = result.extra["test"]
    acc = result.extra["accuracies"]
    boundaries = common.plot_boundaries(
        [(result.extra["predicts"]["linear"], X_test, y_test,
          f"linear model, SGD: {acc['linear']:.1f}% test accuracy"),
         (result.extra["predicts"]["relu"], X_test, y_test,
          f"ReLU model, Adam: {acc['relu']:.1f}% test accuracy")],
        os.path.join(out, f"{name}_decision_boundaries.png"),
        title=f"Circles: a straight line cannot separate them, ReLUs can ({name})")
    curves = common.plot_curves({name: result.history}, os.path.join(out, f"{name}_curves.png"),
                                title=f"Circles: linear model (SGD) vs ReLU model (Adam) ({name})",
                                groups=CURVES)
    return [boundaries, curves]


def main(argv=None):
    args = common.parse_args(argv, "circles", __doc__, epochs=1000, quick_epochs=5)
    return common.run(args, train, plot, curve_groups=CURVES)


if __name__ == "__main__":
    main()
