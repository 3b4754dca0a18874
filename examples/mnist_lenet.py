"""MNIST with LeNet-5: two convolutions with max-pooling, then three fully connected layers.

    python examples/mnist_lenet.py --framework minigrad      # or --framework torch

    conv(1, 6, 5) -> ReLU -> maxpool 2    28x28 -> 6 x 24x24 -> 6 x 12x12
    conv(6, 16, 5) -> ReLU -> maxpool 2    -> 16 x 8x8 -> 16 x 4x4
    flatten -> fc 120 -> ReLU -> fc 84 -> ReLU -> fc 10

The original LeNet-5 saw 32x32 images; on MNIST's 28x28 this version uses *no padding*,
so the first fully connected layer takes 16*4*4 = 256 features (the other common choice,
padding=2 on conv1, keeps 28x28 and gives 16*5*5). CrossEntropyLoss, Adam (lr 1e-3),
mini-batches of 64, 5 epochs; the training and test loops are those of
``mnist_mlp.py``. Pictures: loss/accuracy curves, test digits with predictions.
"""
import common  # first: it puts the repository on sys.path for `import minigrad`
from mnist_mlp import fit, plot_mnist

LEARNING_RATE = 1e-3


def make_model(torch, nn, F):
    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)          # 1x28x28 -> 6x24x24
            self.conv2 = nn.Conv2d(6, 16, 5)         # 6x12x12 -> 16x8x8
            self.pool = nn.MaxPool2d(2, 2)           # halves height and width
            self.fc1 = nn.Linear(16 * 4 * 4, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))     # -> 6x12x12
            x = self.pool(F.relu(self.conv2(x)))     # -> 16x4x4
            x = torch.flatten(x, 1)                  # -> 256
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return LeNet()


def train(args, fw):
    model = make_model(fw.torch, fw.nn, fw.F).to(args.device)
    optimizer = fw.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    return fit(args, fw, model, optimizer)


def plot(args, result, out):
    return plot_mnist(result, out, "MNIST LeNet-5, Adam")


def main(argv=None):
    args = common.parse_args(argv, "mnist_lenet", __doc__, epochs=5, quick_epochs=1, mnist=True)
    return common.run(args, train, plot)


if __name__ == "__main__":
    main()
