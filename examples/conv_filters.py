"""What does a convolution learn? The 32 3x3 kernels of a small CNN, after training on MNIST.

    python examples/conv_filters.py --framework minigrad      # or --framework torch

    Conv2d(1, 32, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(32*14*14, 10)

Trained briefly (one epoch of Adam, lr 1e-3, batches of 64) with the loops of
``mnist_mlp.py``. Each of the 32 first-layer kernels slides over the image and responds
to a small pattern; after training many of them are edge and stroke detectors (a bright
side next to a dark side, at some angle). Pictures: the kernels in a 4x8 grid (light =
positive weight, dark = negative, each on its own scale), the same kernels before
training for comparison, and test digits with predictions.
"""
import os

import common  # first: it puts the repository on sys.path for `import minigrad`
from mnist_mlp import fit

LEARNING_RATE = 1e-3


def make_model(nn):
    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, padding=1)   # 1x28x28 -> 32x28x28
            self.relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2)                   # -> 32x14x14
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(32 * 14 * 14, 10)

        def forward(self, x):
            return self.fc(self.flatten(self.pool(self.relu(self.conv1(x)))))

    return SmallCNN()


def train(args, fw):
    model = make_model(fw.nn).to(args.device)
    initial = common.to_numpy(model.conv1.weight).copy()
    optimizer = fw.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    result = fit(args, fw, model, optimizer)
    result.extra["filters"] = (initial, common.to_numpy(model.conv1.weight))
    return result


def plot(args, result, out):
    name = result.framework
    initial, learned = result.extra["filters"]
    pictures = [
        common.plot_filters(learned, os.path.join(out, f"{name}_filters.png"),
                            title=f"The 32 learned 3x3 kernels of Conv2d(1, 32, 3) after "
                                  f"{args.epochs} epoch(s) on MNIST ({name})"),
        common.plot_filters(initial, os.path.join(out, f"{name}_filters_initial.png"),
                            title=f"The same kernels at initialisation, before training "
                                  f"({name})"),
    ]
    images, labels, predictions = result.extra["samples"]
    pictures.append(common.plot_predictions(
        images, labels, predictions, os.path.join(out, f"{name}_predictions.png"),
        title=f"Small CNN: test digits, predicted (true) label, red = wrong ({name})"))
    if args.epochs > 1:
        pictures.append(common.plot_curves({name: result.history},
                                           os.path.join(out, f"{name}_curves.png"),
                                           title=f"Small CNN on MNIST, Adam ({name})"))
    return pictures


def main(argv=None):
    args = common.parse_args(argv, "conv_filters", __doc__, epochs=1, quick_epochs=1, mnist=True)
    return common.run(args, train, plot)


if __name__ == "__main__":
    main()
