"""MNIST with a multi-layer perceptron: 784 -> 128 -> ReLU -> 10.

    python examples/mnist_mlp.py --framework minigrad      # or --framework torch

Each 28x28 digit is flattened to 784 numbers, one hidden layer of 128 ReLU units, 10
logits out; CrossEntropyLoss, Adam (lr 1e-3), mini-batches of 64, 10 epochs. The
tutorial this follows reported 97.58% test accuracy.

The data come from the four MNIST IDX files, found in ``--data-root DIR``, else
``$MINIGRAD_MNIST``, else ``$MINIGRAD_DATA`` or ``./data`` (torchvision's
``DIR/MNIST/raw/`` layout or a flat folder holding the files); ``--download`` fetches them.
Pictures: loss/accuracy curves, and a grid of test digits with the model's predictions.

``train_one_epoch`` and ``evaluate`` below are the training and test loops of the PyTorch
quickstart; ``mnist_lenet.py`` and ``conv_filters.py`` reuse them.
"""
import os

import common  # first: it puts the repository on sys.path for `import minigrad`

BATCH_SIZE = 64
LEARNING_RATE = 1e-3


def make_model(nn):
    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 128),
                nn.ReLU(),
                nn.Linear(128, 10),
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def train_one_epoch(dataloader, model, loss_fn, optimizer, args, desc):
    """One pass over the training set; returns (mean loss, accuracy in %)."""
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    bar = common.progress(dataloader, args, desc=desc, leave=False)
    for X, y in bar:
        X, y = X.to(args.device), y.to(args.device)
        pred = model(X)                 # forward
        loss = loss_fn(pred, y)         # loss
        optimizer.zero_grad()           # clear the old gradients
        loss.backward()                 # backward: d loss / d every parameter
        optimizer.step()                # update the parameters

        total_loss += loss.item() * len(y)
        correct += (pred.argmax(1) == y).sum().item()
        seen += len(y)
        bar.set_postfix(loss=f"{loss.item():.4f}")
    return total_loss / seen, 100 * correct / seen


def evaluate(dataloader, model, loss_fn, args, torch):
    """Mean loss and accuracy (%) over a dataset, without building a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(args.device), y.to(args.device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item() * len(y)
            correct += (pred.argmax(1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, 100 * correct / seen


def fit(args, fw, model, optimizer, batch_size=BATCH_SIZE):
    """Load MNIST, train ``model`` for ``args.epochs`` epochs, test after each one."""
    torch = fw.torch
    train_set, test_set, data_note = common.mnist(args, fw)
    train_loader = fw.DataLoader(train_set, batch_size=batch_size, shuffle=True)
    test_loader = fw.DataLoader(test_set, batch_size=1000)
    loss_fn = fw.nn.CrossEntropyLoss()

    history = common.new_history()
    epochs = common.progress(range(args.epochs), args, desc=f"{args.example} [{fw.name}]")
    for epoch in epochs:
        train_loss, train_acc = train_one_epoch(train_loader, model, loss_fn, optimizer, args,
                                                desc=f"epoch {epoch + 1}")
        test_loss, test_acc = evaluate(test_loader, model, loss_fn, args, torch)
        common.record_epoch(history, epoch + 1, train_loss, test_loss, train_acc, test_acc)
        epochs.set_postfix(test_acc=f"{test_acc:.2f}%")

    # a few test digits and what the model says they are
    samples = common.sample_predictions(model, test_set, args, torch)
    return common.Result(accuracy=history["test_acc"][-1], history=history,
                         extra={"samples": samples}, notes=[data_note])


def plot_mnist(result, out, title, items="digits"):
    """The curves and the predictions grid, as every MNIST example draws them."""
    name = result.framework
    curves = common.plot_curves({name: result.history}, os.path.join(out, f"{name}_curves.png"),
                                title=f"{title} ({name})")
    images, labels, predictions = result.extra["samples"]
    grid = common.plot_predictions(images, labels, predictions,
                                   os.path.join(out, f"{name}_predictions.png"),
                                   title=f"{title}: test {items}, predicted (true) label, "
                                         f"red = wrong ({name})")
    return [curves, grid]


def train(args, fw):
    model = make_model(fw.nn).to(args.device)
    optimizer = fw.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    return fit(args, fw, model, optimizer)


def plot(args, result, out):
    return plot_mnist(result, out, "MNIST MLP 784-128-10, Adam")


def main(argv=None):
    args = common.parse_args(argv, "mnist_mlp", __doc__, epochs=10, quick_epochs=1, mnist=True)
    return common.run(args, train, plot)


if __name__ == "__main__":
    main()
