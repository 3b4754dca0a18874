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
    env = dict(FRAMEWORKS[framework], log=[], np=np, **data)
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


# ----------------------------------------------------------------------------------------
# More programs as tutorials and course notebooks write them. Each runs unchanged on both
# frameworks and logs what a learner would print (dtypes, shapes, losses); the two logs must
# say the same, numbers agreeing to float32 precision. Weights start from NumPy arrays
# (``W``, ``X`` ...) so that both frameworks compute the same numbers.

POLYNOMIAL_AUTOGRAD = '''
import math
dtype = torch.float
x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a, b, c, d = (torch.tensor(v, dtype=dtype, requires_grad=True) for v in W[:4])
learning_rate = 1e-6
for t in range(2000):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 500 == 99:
        log.append(f"{t} {loss.item():.4f}")
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
log.append(f"Result: y = {a.item():.4f} + {b.item():.4f} x + {c.item():.4f} x^2 "
           f"+ {d.item():.4f} x^3")
log.append(str(y_pred.dtype))
'''

POLYNOMIAL_CUSTOM_FUNCTION = '''
import math

class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)

x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
y = torch.sin(x)
a = torch.full((), 0.0, dtype=torch.float64, requires_grad=True)
b = torch.full((), -1.0, dtype=torch.float64, requires_grad=True)
c = torch.full((), 0.0, dtype=torch.float64, requires_grad=True)
d = torch.full((), 0.3, dtype=torch.float64, requires_grad=True)
learning_rate = 5e-6
for t in range(2000):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 500 == 99:
        log.append(f"{t} {loss.item():.6f}")
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
log.append(f"Result: y = {a.item():.6f} + {b.item():.6f} * P3({c.item():.6f} + {d.item():.6f} x)")
'''

POLYNOMIAL_NN = '''
import math
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
log.append(f"{xx.shape} {xx.dtype} {p.dtype}")
model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor(W[:3]).reshape(1, 3))
    model[0].bias.fill_(float(W[3]))
loss_fn = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
for t in range(1000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 250 == 99:
        log.append(f"{t} {loss.item():.3f}")
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
linear_layer = model[0]
w = linear_layer.weight
log.append(f"Result: y = {linear_layer.bias.item():.4f} + {w[:, 0].item():.4f} x"
           f" + {w[:, 1].item():.4f} x^2 + {w[:, 2].item():.4f} x^3")
'''

NUMPY_BRIDGE = '''
import numpy as np
t = torch.ones(5)
log.append(f"t: {t}")
n = t.numpy()
log.append(f"n: {n}")
t.add_(1)
log.append(f"t: {t}")
log.append(f"n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
log.append(f"t: {t}")
log.append(f"n: {n}")
log.append(f"{t.dtype} {torch.from_numpy(np.arange(3)).dtype} "
           f"{torch.tensor(np.float32(2.5)).dtype}")
'''

TENSOR_BASICS = '''
data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_ones = torch.ones_like(x_data)
log.append(f"Ones Tensor: \\n {x_ones} \\n")
x_rand = torch.rand_like(x_data, dtype=torch.float)
log.append(f"{x_rand.shape} {x_rand.dtype}")
shape = (2, 3,)
log.append(f"Zeros Tensor: \\n {torch.zeros(shape)} \\n")
tensor = torch.tensor(X[:4, :4])
log.append(f"Shape of tensor: {tensor.shape}")
log.append(f"Datatype of tensor: {tensor.dtype}")
log.append(f"Device tensor is stored on: {tensor.device}")
log.append(f"First row: {tensor[0]}")
log.append(f"First column: {tensor[:, 0]}")
log.append(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
log.append(str(tensor))
t1 = torch.cat([tensor, tensor, tensor], dim=1)
log.append(str(t1.shape))
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
log.append(f"{torch.allclose(y1, y2)} {torch.equal(z1, z2)}")
agg = tensor.sum()
agg_item = agg.item()
log.append(f"{agg_item:.4f} {type(agg_item).__name__}")
log.append(f"{tensor.add_(5)}")
log.append(f"{torch.numel(tensor)} {tensor.new_ones(2).dtype} {tensor.new_tensor([1, 2]).dtype}")
'''

DTYPES_FLOW = '''
i = torch.arange(5)
log.append(f"{i.dtype} {(i / 2).dtype} {(i * 0.5).dtype} {(i // 2).dtype} {(i % 3).tolist()}")
f = torch.tensor([1.5, -2.0, 3.0])
log.append(f"{(f + i[:3]).dtype} {(f > 0).dtype} {(f > 0).sum().dtype} {(f > 0).sum().item()}")
log.append(f"{torch.where(f > 0, f, 0).dtype} {torch.where(f > 0, 1, 0).dtype}")
d = torch.tensor(2.0, dtype=torch.float64)
log.append(f"{(f * d).dtype} {(i * d).dtype} {(torch.ones(2, dtype=torch.int32) + 1).dtype}")
log.append(f"{torch.result_type(i, 1.0)} {torch.promote_types(torch.uint8, torch.int8)}")
log.append(f"{torch.can_cast(torch.float32, torch.int32)} {torch.get_default_dtype()}")
u = torch.tensor([250, 3], dtype=torch.uint8)
log.append(f"{(u + 10).tolist()} {(u + 10).dtype} {(u.float() / 2).tolist()}")
log.append(f"{torch.sqrt(torch.tensor([4, 9])).dtype} {torch.tensor([True, False]).sum()}")
log.append(f"{torch.tensor([1, 2, 3]).float().mean():.4f} {torch.tensor([0.5]).half().dtype}")
log.append(f"{torch.tensor([1.0]) / 0} {torch.log(torch.tensor([0.0]))} {torch.tensor([0.0]) / 0}")
'''

INDEXING = '''
logits = torch.tensor(X[:6, :4], requires_grad=True)
labels = torch.tensor(Y[:6] % 4)
one_hot = torch.zeros(6, 4).scatter(1, labels.unsqueeze(1), 1.0)
log.append(f"{one_hot.sum(1).tolist()} {one_hot.argmax(1).tolist() == labels.tolist()}")
logp = torch.log_softmax(logits, dim=1)
nll = -logp.gather(1, labels.unsqueeze(1)).squeeze(1).mean()
ce = torch.nn.functional.cross_entropy(logits, labels)
log.append(f"nll {nll.item():.5f} vs {ce.item():.5f}")
nll.backward()
log.append(f"grad row sums {[round(v, 5) for v in logits.grad.sum(1).tolist()]}")
top2 = logits.topk(2, dim=1)
log.append(f"top-2 accuracy {(top2.indices == labels.unsqueeze(1)).any(1).float().mean():.3f}")
ranks = logits.detach().argsort(dim=1, descending=True)
log.append(f"{ranks[0].tolist()} {torch.nonzero(labels == 1).flatten().tolist()}")
mask = logits.detach() > 0
log.append(f"{logits.detach()[mask].shape} {logits.detach().masked_select(mask).sum():.4f}")
picked = torch.index_select(logits.detach(), 0, torch.tensor([0, 2]))
pairs = logits.detach()[[0, 2], [1, 3]].tolist()
log.append(f"{picked.shape} {pairs == [picked[0, 1].item(), picked[1, 3].item()]}")
counts = torch.zeros(4).scatter_add(0, labels, torch.ones(6))
log.append(f"counts {counts.tolist()} {torch.unique(labels, return_counts=True)[1].tolist()}")
log.append(f"{torch.where(labels > 1)[0].tolist()} {labels.masked_fill(labels == 0, -1).tolist()}")
'''

ATTENTION = '''
B, T, C = 2, 5, 8
x = torch.tensor(X[:B * T, :C].reshape(B, T, C))
key = nn.Linear(C, 4, bias=False)
query = nn.Linear(C, 4, bias=False)
value = nn.Linear(C, 4, bias=False)
with torch.no_grad():
    for i, layer in enumerate((key, query, value)):
        layer.weight.copy_(torch.tensor(W[i * 32:(i + 1) * 32].reshape(4, 8)))
k, q, v = key(x), query(x), value(x)
wei = q @ k.transpose(-2, -1) * k.shape[-1] ** -0.5
tril = torch.tril(torch.ones(T, T))
wei = wei.masked_fill(tril == 0, float("-inf"))
wei = F.softmax(wei, dim=-1)
out = wei @ v
log.append(f"{out.shape} {wei[0, 0].tolist()[:2]}")
out2 = torch.einsum("btc,bsc->bts", q, k) * k.shape[-1] ** -0.5
wei2 = out2.masked_fill(tril == 0, float('-inf')).softmax(-1)
log.append(f"{torch.allclose(wei2, wei, atol=1e-6)}")
loss = out.pow(2).mean()
loss.backward()
log.append(f"loss {loss.item():.6f} grad {key.weight.grad.abs().sum().item():.6f}")
log.append(f"{torch.bmm(q, k.transpose(1, 2)).shape} {wei.sum(-1).mean().item():.4f}")
'''

STATISTICS = '''
data = torch.tensor(X[:20, :3])
mean, std = data.mean(0), data.std(0)
z = (data - mean) / std
log.append(f"{z.mean(0).abs().max().item() < 1e-6} {z.std(0).tolist()}")
log.append(f"var {data.var(0, unbiased=False).tolist()} {torch.var_mean(data, 0)[0].tolist()}")
log.append(f"norms {data.norm(dim=1)[:3].tolist()} {torch.norm(data):.4f} {data.norm(p=1):.4f}")
log.append(f"cumsum {data[:4, 0].cumsum(0).tolist()} prod {data[:3, 1].prod().item():.6f}")
log.append(f"median {data[:, 0].median().item():.6f} logsumexp {data.logsumexp(1)[:2].tolist()}")
w = torch.tensor(W[:3], requires_grad=True)
loss = ((data @ w) ** 2).mean()
loss.backward()
total_norm = torch.norm(torch.stack([w.grad.norm()]))
clip_coef = 1.0 / (total_norm + 1e-6)
if clip_coef < 1:
    w.grad.mul_(clip_coef)
log.append(f"clipped {w.grad.norm().item():.5f} amax {data.amax(0).tolist()} "
           f"{data.argmin(0).tolist()}")
'''

LOGISTIC_REGRESSION = '''
Xt = torch.tensor(X[:64, :2])
yt = (Xt[:, 0] + 0.5 * Xt[:, 1] > 0).float()
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for epoch in range(100):
    p = torch.sigmoid(Xt @ w + b)
    loss = -(yt * torch.log(p.clamp(min=1e-7))
             + (1 - yt) * torch.log((1 - p).clamp(min=1e-7))).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        b -= 0.5 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 25 == 0:
        acc = ((p > 0.5).float() == yt).float().mean()
        log.append(f"epoch {epoch} loss {loss.item():.5f} acc {acc.item():.3f}")
log.append(f"w {w.detach().tolist()} b {b.item():.5f} {w.dtype}")
'''

BATCHING = '''
data = torch.tensor(X[:10, :3])
batches = torch.split(data, 4)
log.append(f"{len(batches)} {[tuple(b.shape) for b in batches]}")
chunks = data.chunk(3, dim=0)
log.append(f"{[c.shape[0] for c in chunks]} {torch.equal(torch.cat(chunks), data)}")
rows = data.unbind(0)
log.append(f"{len(rows)} {torch.stack(rows).shape} {data.flip(0)[0].tolist() == data[-1].tolist()}")
perm = torch.tensor(Y[:10] % 10).argsort()
log.append(f"{data[perm].shape} {data.roll(1, 0)[0].tolist() == data[-1].tolist()}")
grid_x, grid_y = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij")
log.append(f"{grid_x.tolist()} {grid_y.tolist()}")
windows = torch.arange(10.0).unfold(0, 4, 3)
log.append(f"{windows.tolist()}")
log.append(f"{data.repeat(2, 1).shape} {torch.tile(data[0], (2,)).shape} "
           f"{data[0].repeat_interleave(2).shape}")
log.append(f"{data.movedim(0, 1).shape} {data.unsqueeze(0).expand(2, -1, -1).shape} "
           f"{data.narrow(1, 1, 2).shape}")
log.append(f"{torch.diag(data[:3, :3]).tolist()} {torch.eye(3).triu(1).sum().item()}")
'''

MAKEMORE = '''
words = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia"] * 3
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
V = len(stoi)
N = torch.zeros((V, V), dtype=torch.int32)
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
log.append(f"{N.dtype} {N.sum().item()} {N[0, stoi['e']].item()}")
P = (N + 1).float()
P /= P.sum(1, keepdims=True)
log.append(f"{P.shape} {P[0].sum().item():.4f}")
xs, ys = [], []
for w in words:
    chs = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(chs, chs[1:]):
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
xs, ys = torch.tensor(xs), torch.tensor(ys)
num = xs.nelement()
W1 = torch.tensor(W[:V * V].reshape(V, V) if V * V <= len(W) else
                  np.resize(W, (V, V)), requires_grad=True)
for k in range(10):
    xenc = F.one_hot(xs, num_classes=V).float()
    logits = xenc @ W1
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(num), ys].log().mean() + 0.01 * (W1 ** 2).mean()
    W1.grad = None
    loss.backward()
    W1.data += -5 * W1.grad
    log.append(f"{k} {loss.item():.5f}")
C = torch.tensor(np.resize(W, (V, 2)))
X3 = torch.tensor([[0, 0, stoi[c]] for c in "emma"])
emb = C[X3]
h = torch.tanh(emb.view(-1, 6) @ torch.tensor(np.resize(W, (6, 5))))
log.append(f"{emb.shape} {h.shape} {torch.cat(torch.unbind(emb, 1), 1).shape} {h.sum().item():.5f}")
hpre = emb.view(emb.shape[0], -1)
log.append(f"{hpre.mean(0, keepdim=True).shape} {hpre.std(axis=0).sum().item():.5f}")
'''

BLITZ = '''
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.fc1 = nn.Linear(6 * 14 * 14, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        return self.fc1(torch.flatten(x, 1))

net = Net()
for m in net.modules():  # the DCGAN tutorial's weights_init, and friends
    if isinstance(m, nn.Conv2d):
        nn.init.normal_(m.weight.data, 0.0, 0.02)
        m.weight.data.copy_(torch.tensor(np.resize(W, tuple(m.weight.shape))) * 0.1)
        m.bias.data.fill_(0.01)
    elif isinstance(m, nn.Linear):
        m.weight.data = torch.tensor(np.resize(W, tuple(m.weight.shape)) * 0.05)
        m.bias.data.zero_()
params = list(net.parameters())
log.append(f"{len(params)} {params[0].size()} {type(net.fc1.weight).__name__}")
input = torch.tensor(np.resize(W, (1, 1, 32, 32)))
target = torch.tensor(np.resize(W[::-1].copy(), (10,))).view(1, -1)
criterion = nn.MSELoss()
learning_rate = 0.01
for step in range(3):
    net.zero_grad()
    loss = criterion(net(input), target)
    loss.backward()
    for f in net.parameters():
        f.data.sub_(f.grad.data * learning_rate)
    log.append(f"step {step}: loss {loss.item():.6f} conv1.bias.grad {net.conv1.bias.grad.sum():.6f}")
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3 * a ** 3 - b ** 2
Q.backward(gradient=torch.tensor([1., 1.]))
log.append(f"{9 * a ** 2 == a.grad} {-2 * b == b.grad}")
inp = torch.eye(4, 5, requires_grad=True)
out = (inp + 1).pow(2).t()
out.backward(torch.ones_like(out), retain_graph=True)
out.backward(torch.ones_like(out), retain_graph=True)
log.append(f"{inp.grad}")
inp.grad.zero_()
'''

TENSORS_TUTORIAL = '''
tensor = torch.ones(4, 4)
tensor[:, 1] = 0
y3 = torch.rand_like(tensor)
torch.matmul(tensor, tensor.T, out=y3)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
log.append(f"{y3}")
log.append(f"{z3}")
agg = tensor.sum()
log.append(f"{agg.item()} {type(agg.item()).__name__}")
tensor.add_(5)
log.append(f"{tensor}")
t = torch.ones(5)
n = t.numpy()
t.add_(1)
log.append(f"t: {t} n: {n}")
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
log.append(f"t: {t} n: {n}")
big = torch.tensor(np.resize(W, (50, 40)))
log.append(f"{big}")
log.append(f"{torch.tensor([True, True])} {torch.tensor([True, False])} {torch.zeros(0, dtype=torch.int64)}")
log.append(f"{torch.cat([tensor, tensor], axis=1).shape} {tensor.max(axis=0).values}")
'''

PROGRAMS = {
    "polynomial fit with autograd and manual SGD": POLYNOMIAL_AUTOGRAD,
    "polynomial fit with a custom autograd.Function": POLYNOMIAL_CUSTOM_FUNCTION,
    "polynomial fit with nn.Sequential and an optimizer": POLYNOMIAL_NN,
    "the NumPy bridge shares memory": NUMPY_BRIDGE,
    "tensor basics from the blitz": TENSOR_BASICS,
    "dtypes flowing between ops": DTYPES_FLOW,
    "indexing-heavy classification code": INDEXING,
    "self-attention from scratch": ATTENTION,
    "statistics, standardising and gradient clipping": STATISTICS,
    "logistic regression by hand": LOGISTIC_REGRESSION,
    "splitting, joining and rearranging batches": BATCHING,
    "makemore: bigram counts, one-hot logits and manual .data updates": MAKEMORE,
    "the 60-minute blitz: writes through .data, init on .data, autograd": BLITZ,
    "the tensors tutorial: out=, in-place ops and printing": TENSORS_TUTORIAL,
}


def _same_log(mg_log, th_log, rtol=1e-4, atol=1e-6):
    """The two logs say the same: equal words, numbers equal to float32 precision."""
    import re
    number = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?|-?inf|nan")
    assert len(mg_log) == len(th_log), (mg_log, th_log)
    for m, t in zip(mg_log, th_log):
        m = m.replace("minigrad", "torch")
        assert number.sub("#", m) == number.sub("#", t), (m, t)
        for a, b in zip(number.findall(m), number.findall(t)):
            assert a == b or float(a) == float(b) or abs(float(a) - float(b)) <= atol + rtol * abs(
                float(b)), (a, b, m, t)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_tutorial_program_prints_the_same_on_both_frameworks(name):
    rng = np.random.default_rng(0)
    data = dict(W=(rng.standard_normal(128) * 0.3).astype(np.float32),
                X=rng.standard_normal((64, 8)).astype(np.float32),
                Y=rng.integers(0, 10, 64))
    th = run_program(PROGRAMS[name], "torch", **data)
    mg = run_program(PROGRAMS[name], "minigrad", **data)
    assert len(th["log"]) >= 3
    _same_log(mg["log"], th["log"])
