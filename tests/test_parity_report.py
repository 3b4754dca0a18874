"""Reports a person reads: tables with evenly spaced rows."""
from parity.endtoend import Curve, EndToEndResult
from parity.report import endtoend_table


def curves_every_50_epochs(last=1000):
    epochs = list(range(0, last + 1, 50))
    return EndToEndResult("blobs8-mlp", "float32", last, [
        Curve(fw, epochs, [0.5] * len(epochs), [float("nan")] + [0.4] * (len(epochs) - 1))
        for fw in ("minigrad", "torch")])


def table_epochs(result, **kw):
    lines = endtoend_table(result, **kw).splitlines()[2:]  # after the header and its rule
    return [int(line.split()[0]) for line in lines if line.split()[0].isdigit()]


def test_end_to_end_table_rows_are_evenly_spaced_and_end_with_the_last_epoch():
    assert table_epochs(curves_every_50_epochs()) == list(range(0, 1001, 100))
    assert table_epochs(curves_every_50_epochs(), max_rows=4) == [0, 350, 700, 1000]
    assert table_epochs(curves_every_50_epochs(300)) == [0, 50, 100, 150, 200, 250, 300]
