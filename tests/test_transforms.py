"""minigrad.transforms: torchvision's ToTensor, Normalize, Compose and Lambda (names,
arguments, repr, errors, values), so that ``from torchvision import datasets, transforms``
becomes ``from minigrad import datasets, transforms``. Values are checked against torch's
formula here and against torchvision itself wherever it imports."""
import numpy as np
import pytest
import torch

import minigrad
from minigrad import transforms


def test_to_tensor_scales_bytes_to_unit_float32_channels_first():
    pic = np.arange(2 * 3 * 2, dtype=np.uint8).reshape(2, 3, 2) * 10  # H x W x C
    out = transforms.ToTensor()(pic)
    assert isinstance(out, minigrad.Tensor) and out.dtype == minigrad.float32
    assert out.shape == (2, 2, 3)
    expected = torch.from_numpy(pic.transpose(2, 0, 1).copy()).to(torch.float32).div(255)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_to_tensor_adds_the_channel_of_a_grey_image_and_keeps_float_values():
    assert transforms.ToTensor()(np.zeros((28, 28), np.uint8)).shape == (1, 28, 28)
    pic = np.linspace(-1, 3, 12).reshape(3, 4)
    out = transforms.ToTensor()(pic)
    assert out.dtype == minigrad.float64
    np.testing.assert_array_equal(out.numpy()[0], pic)  # not divided: only bytes are scaled


def test_to_tensor_reads_a_pil_image_as_torchvision_does():
    Image = pytest.importorskip("PIL.Image")
    pic = np.random.default_rng(0).integers(0, 256, (5, 7), dtype=np.uint8)
    out = transforms.ToTensor()(Image.fromarray(pic))
    np.testing.assert_array_equal(out.numpy(), (pic.astype(np.float32) / 255)[None])


def test_to_tensor_hands_a_minigrad_dataset_item_back_unchanged():
    img = minigrad.rand(1, 28, 28)
    assert transforms.ToTensor()(img) is img


def test_to_tensor_refuses_other_inputs_with_torchvisions_messages():
    with pytest.raises(TypeError, match=r"pic should be PIL Image or ndarray. Got <class 'list'>"):
        transforms.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        transforms.ToTensor()(np.zeros((1, 2, 2, 1), np.uint8))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normalize_is_torchvisions_per_channel_formula(dtype):
    x = np.random.default_rng(1).random((2, 3, 4, 5)).astype(dtype)  # B x C x H x W
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = transforms.Normalize(mean, std)(minigrad.from_numpy(x))
    t = torch.from_numpy(x)
    expected = (t - torch.as_tensor(mean, dtype=t.dtype).view(-1, 1, 1)) / \
        torch.as_tensor(std, dtype=t.dtype).view(-1, 1, 1)
    assert out.dtype == getattr(minigrad, dtype)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_normalize_returns_a_new_tensor_unless_inplace():
    x = minigrad.ones(1, 2, 2)
    out = transforms.Normalize((0.5,), (0.25,))(x)
    assert out is not x and x.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    assert out.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]
    same = transforms.Normalize((0.5,), (0.25,), inplace=True)(x)
    assert same is x and x.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]


def test_normalize_refuses_what_torchvision_refuses():
    norm = transforms.Normalize((0.5,), (0.5,))
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        norm(np.zeros((1, 2, 2), np.float32))
    with pytest.raises(TypeError, match=r"Input tensor should be a float tensor. Got "
                                        r"minigrad.uint8."):
        norm(minigrad.zeros(1, 2, 2, dtype=minigrad.uint8))
    with pytest.raises(ValueError, match=r"size \(\.\.\., C, H, W\). Got tensor.size\(\) = "
                                         r"minigrad.Size\(\[2, 2\]\)"):
        norm(minigrad.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to "
                                         "minigrad.float32, leading to division by zero."):
        transforms.Normalize((0.5,), (0.0,))(minigrad.zeros(1, 2, 2))


def test_compose_applies_in_order_and_prints_like_torchvision():
    t = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,)),
                            transforms.Lambda(lambda x: x * 2)])
    out = t(np.full((2, 2), 255, np.uint8))
    np.testing.assert_allclose(out.numpy(), np.full((1, 2, 2), 2 * (1 - 0.1307) / 0.3081),
                               rtol=1e-6)
    assert repr(t) == ("Compose(\n    ToTensor()\n    Normalize(mean=(0.1307,), std=(0.3081,))"
                       "\n    Lambda()\n)")


def test_lambda_needs_a_callable():
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        transforms.Lambda(3)


def test_the_import_swap_with_datasets_reads_normalized_mnist(mnist_dir):
    from minigrad import datasets
    transform = transforms.Compose([transforms.ToTensor(),
                                    transforms.Normalize((0.1307,), (0.3081,))])
    ds = datasets.MNIST(mnist_dir, train=False, transform=transform)
    img, label = ds[0]
    raw = ds.data[0].numpy().astype(np.float32) / np.float32(255)
    np.testing.assert_allclose(img.numpy()[0], (raw - np.float32(0.1307)) / np.float32(0.3081),
                               rtol=1e-6)
    assert label == 7


def test_same_values_as_torchvisions_transforms(torchvision):
    tv = torchvision
    pic = np.random.default_rng(2).integers(0, 256, (6, 5, 3), dtype=np.uint8)
    ours = transforms.Compose([transforms.ToTensor(),
                               transforms.Normalize((0.4, 0.5, 0.6), (0.2, 0.3, 0.1))])
    theirs = tv.transforms.Compose([tv.transforms.ToTensor(),
                                    tv.transforms.Normalize((0.4, 0.5, 0.6), (0.2, 0.3, 0.1))])
    np.testing.assert_array_equal(ours(pic).numpy(), theirs(pic).numpy())
    assert repr(ours) == repr(theirs)


def test_same_arguments_as_torchvisions_transforms(torchvision):
    import inspect
    for name in transforms.__all__:
        ours = inspect.signature(getattr(transforms, name))
        theirs = inspect.signature(getattr(torchvision.transforms, name))
        assert [(p.name, p.default) for p in ours.parameters.values()] == \
            [(p.name, p.default) for p in theirs.parameters.values()], name
