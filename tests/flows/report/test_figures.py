"""Text from the data is drawn as written: a client name with dollar signs is not parsed as maths."""

import io

from flows.report.figures import plt


def test_a_client_name_with_dollar_signs_draws_as_text():
    figure, axis = plt.subplots()
    axis.set_title(r"Acme $\frac{ Holdings$ and $5$ Co")
    axis.barh([r"$\undefined$ Ltd"], [1])
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    assert "<svg" in buffer.getvalue()
