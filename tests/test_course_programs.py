"""Course code of the chapters after the first tutorials, written once for PyTorch and run
unchanged on minigrad by swapping the imports: a BatchNorm CNN trained with AdamW,
OneCycleLR and gradient clipping, and a small attention model over embeddings."""
import numpy as np
import pytest

from test_tutorial_programs import fake_mnist, run_program

MODERN_CNN_PROGRAM = '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        def block(c_in, c_out):
            return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                                 nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))
        self.features = nn.Sequential(block(1, 8), nn.MaxPool2d(2), block(8, 16),
                                      nn.AvgPool2d(2), nn.Dropout2d(0.1))
        self.pool = nn.AdaptiveAvgPool2d((4, 4))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16 * 4 * 4, 32), nn.GELU(),
                                  nn.Dropout(0.1), nn.Linear(32, 10))

    def forward(self, x):
        return self.head(self.pool(self.features(x)))

torch.manual_seed(0)
model = Net()
loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(Y)), batch_size=16, shuffle=True)
epochs = 5
losses = []
optimizer = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-2, epochs=epochs,
                                          steps_per_epoch=len(loader))
loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
        optimizer.step()
        scheduler.step()
    log.append(f"epoch {epoch}: loss {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.2e}")
    losses.append(loss.item())

state = model.state_dict()
n_buffers = len([k for k in state if "running" in k or "num_batches" in k])
restored = Net()
restored.load_state_dict(state)
restored.eval()
model.eval()
with torch.no_grad():
    xs = torch.tensor(X)
    same = torch.allclose(restored(xs), model(xs))
    accuracy = (model(xs).argmax(1) == torch.tensor(Y)).float().mean().item()
'''


@pytest.mark.parametrize("framework", ["torch", "minigrad"])
def test_modern_cnn_program_learns_on_both_frameworks(framework):
    x, y = fake_mnist(n=128)
    env = run_program(MODERN_CNN_PROGRAM, framework, X=x, Y=y)
    assert env["n_buffers"] == 6  # running_mean, running_var, num_batches_tracked, twice
    assert env["same"]  # the checkpoint carries the running statistics
    assert env["losses"][-1] < env["losses"][0]
    assert env["accuracy"] > 0.35, env["log"]  # chance is 0.1 (a few dozen steps only)


ATTENTION_PROGRAM = '''
class Classifier(nn.Module):
    def __init__(self, vocab, dim=16, heads=2, classes=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.out = nn.Linear(dim, classes)

    def forward(self, tokens):
        h = self.embed(tokens)
        a, _ = self.attn(h, h, h, key_padding_mask=(tokens == 0))
        h = self.norm(h + a)
        mask = (tokens != 0).float().unsqueeze(-1)
        return self.out((h * mask).sum(1) / mask.sum(1))

torch.manual_seed(0)
model = Classifier(vocab=12)
optimizer = optim.RMSprop(model.parameters(), lr=1e-2)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=60)
tokens, labels = torch.tensor(TOKENS), torch.tensor(LABELS)
for step in range(60):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(tokens), labels)
    loss.backward()
    optimizer.step()
    scheduler.step()
with torch.no_grad():
    accuracy = (model(tokens).argmax(1) == labels).float().mean().item()
log.append(f"loss {loss.item():.4f}")
'''


@pytest.mark.parametrize("framework", ["torch", "minigrad"])
def test_attention_program_learns_on_both_frameworks(framework):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 64)
    tokens = rng.integers(1, 6, (64, 7)) + 6 * labels[:, None] * (rng.random((64, 7)) < 0.3)
    tokens[:, 5:] *= rng.random((64, 2)) < 0.5  # some padding at the end
    env = run_program(ATTENTION_PROGRAM, framework, TOKENS=tokens.astype(np.int64),
                      LABELS=labels.astype(np.int64))
    assert env["accuracy"] > 0.9, env["log"]
