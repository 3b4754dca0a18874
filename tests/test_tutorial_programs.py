"""Tutorial code written for PyTorch runs on minigrad by swapping the imports.

Each program below is the body of a classic PyTorch tutorial, written once against the
names ``torch``, ``nn``, ``F``, ``optim``, ``DataLoader``; the test runs it with PyTorch's
modules and then with minigrad's, and both must train to the same kind of result.
"""
import numpy as np
import pytest
import torch
import torch.nn as torch_nn
import torch.nn.functional as torch_F
import torch.optim as torch_optim
from torch.utils.data import DataLoader as TorchDataLoader, TensorDataset as TorchTensorDataset

import minigrad
import minigrad.nn as mg_nn
import minigrad.nn.functional as mg_F
import minigrad.optim as mg_optim
from minigrad.utils.data import DataLoader as MgDataLoader, TensorDataset as MgTensorDataset

FRAMEWORKS = {
    "torch": dict(torch=torch, nn=torch_nn, F=torch_F, optim=torch_optim,
                  DataLoader=TorchDataLoader, TensorDataset=TorchTensorDataset),
    "minigrad": dict(torch=minigrad, nn=mg_nn, F=mg_F, optim=mg_optim,
                     DataLoader=MgDataLoader, TensorDataset=MgTensorDataset),
}


def fake_mnist(n=256, seed=0):
    """Digits-like data: 10 classes, each a noisy copy of its own random 28x28 template."""
    rng = np.random.default_rng(seed)
    templates = rng.random((10, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, n)
    x = np.clip(templates[y] + 0.3 * rng.standard_normal((n, 1, 28, 28)), 0, 1).astype(np.float32)
    return x, y.astype(np.int64)


# The quickstart program (fully connected network on MNIST-shaped data) -----------------

MLP_PROGRAM = '''
class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = torch.relu(self.fc1(x))
        return self.fc2(x)

device = "cuda" if torch.cuda.is_available() else "cpu"
torch.manual_seed(0)
model = NeuralNetwork().to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=1e-3)
loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=64, shuffle=True)

for epoch in range(3):
    model.train()
    for batch, (xb, yb) in enumerate(loader):
        xb, yb = xb.to(device), yb.to(device)
        pred = model(xb)
        loss = loss_fn(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    log.append(f"epoch {epoch}: loss {loss:.4f}")

model.eval()
correct = 0
with torch.inference_mode():
    for xb, yb in loader:
        pred = model(xb.to(device))
        correct += (pred.argmax(1) == yb.to(device)).type(torch.float).sum().item()
        _, predicted = torch.max(pred, 1)
        assert (predicted == pred.argmax(1)).all()
accuracy = correct / len(loader.dataset)
'''

# The LeNet program (the classic CNN tutorial) -------------------------------------------

LENET_PROGRAM = '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)

torch.manual_seed(0)
net = Net()
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(net.parameters(), lr=3e-3)
inputs, labels = torch.tensor(X), torch.tensor(Y)
for step in range(40):
    optimizer.zero_grad()
    outputs = net(inputs[:64])
    loss = criterion(outputs, labels[:64])
    loss.backward()
    optimizer.step()
    log.append(f"{loss.item():.3f}")
with torch.no_grad():
    accuracy = (net(inputs[:64]).argmax(1) == labels[:64]).float().mean().item()
n_params = sum(p.numel() for p in net.parameters() if p.requires_grad)
'''


def run_program(source, framework, **data):
    env = dict(FRAMEWORKS[framework], log=[], **data)
    exec(compile(source, f"<{framework} tutorial>", "exec"), env)
    return env


@pytest.mark.parametrize("framework", ["torch", "minigrad"])
def test_quickstart_mlp_program_learns_on_both_frameworks(framework):
    x, y = fake_mnist()
    env = run_program(MLP_PROGRAM, framework, X=x, Y=y)
    assert env["accuracy"] > 0.9, env["log"]
    assert env["log"][-1].startswith("epoch 2: loss ")


@pytest.mark.parametrize("framework", ["torch", "minigrad"])
def test_lenet_program_learns_on_both_frameworks(framework):
    x, y = fake_mnist(n=64)
    env = run_program(LENET_PROGRAM, framework, X=x, Y=y)
    assert env["n_params"] == 44426  # same architecture, same parameter count as torch's
    assert env["accuracy"] > 0.5, env["log"]  # chance is 0.1


def test_model_repr_matches_torch_for_the_same_program():
    x, y = fake_mnist(n=8)
    mg = run_program(LENET_PROGRAM.split("torch.manual_seed")[0] + "net = Net()", "minigrad",
                     X=x, Y=y)
    th = run_program(LENET_PROGRAM.split("torch.manual_seed")[0] + "net = Net()", "torch",
                     X=x, Y=y)
    assert repr(mg["net"]) == repr(th["net"])
