"""`ta.explore` and `tinygrad-acts explore`: the page's steps as data (no browser needed),
then the page itself in headless Chromium, driven by Playwright with the system's browser
(Debian's `chromium`). The browser tests skip, saying why, where either is missing; one
browser serves the whole module."""

from __future__ import annotations

import html
import json
import re
import time

import numpy as np
import pytest

import tinygrad_acts as ta
from tinygrad_acts import cli, commands
from tinygrad_acts.explore import ExplorerPage, explore_html, find_chromium
from tinygrad_acts.graph import format_values, graph_tensors


def neuron(activation="tanh"):
    """micrograd's neuron (the README's), before backward."""
    x1, x2 = ta.Tensor(2.0, name="x1"), ta.Tensor(0.0, name="x2")
    w1 = ta.Tensor(-3.0, requires_grad=True, name="w1")
    w2 = ta.Tensor(1.0, requires_grad=True, name="w2")
    b = ta.Tensor(6.8813735870195432, requires_grad=True, name="b")
    o = getattr(x1 * w1 + x2 * w2 + b, activation)()
    o.name = "o"
    return o


def model_of(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="model">(.*?)</script>',
                                page, re.DOTALL).group(1).replace("<\\/", "</"))


def final_grads(model: dict) -> dict[str, str]:
    """The grad text of each node after the last step (what the page's script shows)."""
    grads = {}
    for step in model["steps"]:
        grads.update(step.get("grads", {}))
    return grads


def expected_grads(root) -> dict[str, str]:
    """Each tensor's `.grad`, formatted as the page writes it, keyed by node id."""
    return {f"n_t{i}": format_values(t.grad.data)
            for i, t in enumerate(graph_tensors(root)) if t.grad is not None}


# ---- the steps, without a browser --------------------------------------------------------


def test_own_pass_touches_no_grad_and_ends_at_what_backward_gives():
    o = neuron()
    model = model_of(explore_html(o))
    tensors = graph_tensors(o)
    assert all(t.grad is None for t in tensors)
    o.backward()  # the saved values are still there
    assert final_grads(model) == expected_grads(o)
    assert model["mode"] == "own"
    phases = [s["phase"] for s in model["steps"]]
    assert phases == ["start"] + ["forward"] * 5 + ["backward"] * 6


def test_backward_steps_in_reverse_topological_order_with_the_numbers():
    o = neuron()
    steps = [s for s in model_of(explore_html(o))["steps"] if s.get("op")]
    backward = [s for s in steps if s["phase"] == "backward"]
    assert [s["title"].split(": ", 1)[1] for s in backward] == [
        "o = tanh(t8)", "t8 = add(t6, b)", "t6 = add(t2, t5)", "t5 = mul(x2, w2)",
        "t2 = mul(x1, w1)",
    ]
    (tanh_line,) = backward[0]["numbers"]
    assert tanh_line.startswith("tanh: grad_in = grad_out")
    assert tanh_line.endswith("= 0.5")
    assert "nothing to a = x1: a constant needs no gradient" in backward[-1]["sends"]


def test_after_backward_the_recorded_grads_are_shown_without_running_the_rules():
    o = neuron()
    o.backward()  # frees the saved values
    model = model_of(explore_html(o))
    assert model["mode"] == "recorded"
    assert final_grads(model) == expected_grads(o)


def test_a_tensor_used_twice_shows_its_parts_summed():
    x = ta.Tensor(3.0, requires_grad=True, name="x")
    y = x * x + x.exp()
    y.name = "y"
    model = model_of(explore_html(y))
    flashes = [f for s in model["steps"] for f in s.get("flash", {}).values()]
    # x receives x.exp() from exp, then x from each side of x * x: three parts, the last
    # two in one step; its box shows the sum.
    assert flashes == ["20.09 + 3 + 3 = 26.09"]
    sends = [line for s in model["steps"] for line in s.get("sends", [])]
    assert "to b = x: dy/dx += 3; x is used 3 times so far: its parts are summed, " \
        "20.09 + 3 + 3 = 26.09" in sends
    y.backward(retain_graph=True)
    assert final_grads(model) == expected_grads(y)
    # After backward(retain_graph=True) the rules can still run: the parts are shown too.
    recorded = model_of(explore_html(y))
    assert recorded["mode"] == "recorded"
    assert final_grads(recorded) == expected_grads(y)
    assert [f for s in recorded["steps"] for f in s.get("flash", {}).values()] == flashes


def test_freed_parts_of_a_tensor_used_twice_give_its_recorded_total():
    x = ta.Tensor(3.0, requires_grad=True, name="x")
    y = x * 2.0 + x.tanh()
    y.backward()
    model = model_of(explore_html(y))
    assert final_grads(model) == expected_grads(y)
    assert any("(not kept)" in line for s in model["steps"] for line in s.get("sends", []))


class Cube(ta.Function):
    """x^3: a user's own operation, with its derivative declared."""

    derivative = "d/dx = 3 * x^2"

    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3.0 * x * x


def test_a_users_function_shows_its_name_and_its_derivative_in_words_and_numbers():
    x = ta.Tensor(2.0, requires_grad=True, name="x")
    y = Cube.apply(x)
    step = [s for s in model_of(explore_html(y))["steps"] if s.get("rule")][0]
    assert step["rule"] == "cube: d/dx = 3 * x^2"
    assert step["numbers"] == ["cube: grad_in = grad_out * (3 * x^2) = 1 * (3 * 2^2) = 12"]


def test_large_tensors_are_summarised_and_layers_are_clusters():
    loss = commands._mlp_example(backward=False)
    page = explore_html(loss)
    model = model_of(page)
    assert {c["name"] for c in model["clusters"].values()} == {"dense", "dense_1"}
    assert "mean " in page and " std " in page  # (4, 3) values summarised, as draw_graph does
    assert 'id="c_dense"' in page and 'id="c_dense_1"' in page
    loss.backward()
    assert final_grads(model) == expected_grads(loss)


@pytest.mark.parametrize("example", ["neuron", "mlp", "micrograd"])
def test_the_pages_are_self_contained_and_small(example):
    root = commands.EXPLORE_EXAMPLES[example]()
    page = explore_html(root)
    size = len(page.encode("utf-8"))
    print(f"{example}: {size / 1024:.0f} kB, {len(graph_tensors(root))} tensors")
    assert size < 2_000_000
    assert not re.search(r"<link|\bsrc=|href=\"http|@import|url\(", page)
    assert "default-src 'none'" in page  # the browser refuses any request, too


def test_bad_roots_get_clear_errors():
    with pytest.raises(TypeError, match="root must be a Tensor, received ndarray"):
        ta.explore(np.ones(3))
    with pytest.raises(ValueError, match="root has no graph: it is a leaf tensor"):
        ta.explore(ta.Tensor(1.0, requires_grad=True))
    with pytest.raises(ValueError, match="a tensor that requires no grad"):
        ta.explore(ta.Tensor([1.0, 2.0]) * 2.0)
    x = ta.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"root has shape \(2,\); before backward\(\)"):
        ta.explore(x * 2.0)
    with pytest.raises(TypeError, match="path must be a str, a path or None, received 3"):
        ta.explore(neuron(), 3)


def test_a_non_scalar_root_after_backward(tmp_path):
    x = ta.Tensor([1.0, -2.0], requires_grad=True, name="x")
    y = x.tanh()
    y.backward(ta.Tensor([1.0, 0.5]))
    assert final_grads(model_of(explore_html(y))) == expected_grads(y)


def test_jupyter_shows_the_same_page_in_an_iframe(tmp_path):
    o = neuron()
    page = ta.explore(o)
    assert isinstance(page, ExplorerPage)
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=")
    srcdoc = re.search(r'srcdoc="(.*?)"', shown, re.DOTALL).group(1)
    assert html.unescape(srcdoc) == page.html
    written = ta.explore(o, tmp_path / "page.html")
    assert written.read_text(encoding="utf-8") == page.html


def test_command_line_help(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["explore", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: tinygrad-acts explore")
    assert "{neuron,mlp,micrograd}" in out and "--screenshot" in out


def test_command_line_writes_the_page(tmp_path, capsys):
    out = tmp_path / "sub" / "page.html"
    assert cli.main(["explore", "--example", "mlp", "-o", str(out)]) == 0
    assert "<svg" in out.read_text(encoding="utf-8")
    assert str(out) in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        cli.main(["explore", "-o", str(tmp_path / "page.svg")])
    assert e.value.code == 2
    assert "expected a file name ending in .html" in capsys.readouterr().err


# ---- the page in a real browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python is not installed"
    )
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set TINYGRAD_ACTS_CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, tmp_path):
    """open_page(root) -> (page, problems): the explorer page of `root` opened from a file;
    `problems` collects requests to anything but the file, console errors and page errors."""
    contexts = []

    def open_(root, name="page.html"):
        path = ta.explore(root, tmp_path / name)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        contexts.append(context)
        page = context.new_page()
        problems = []
        url = path.resolve().as_uri()
        page.on("request", lambda r: r.url != url and problems.append(f"request {r.url}"))
        page.on("console", lambda m: m.type == "error" and problems.append(f"console {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"page error {e}"))
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_function("() => window.explorer && window.explorer.ready")
        return page, problems, time.perf_counter() - start

    yield open_
    for context in contexts:
        context.close()


def shown_grads(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('text.grad')]
        .filter(t => t.textContent).map(t => [t.closest('g.node').id, t.dataset.shown]))""")


def test_clicking_through_the_neuron(open_page):
    o = neuron()
    page, problems, _ = open_page(o)
    model = model_of(ta.explore(o).html)
    assert page.is_disabled("#prev") and not page.is_disabled("#next")
    seen: dict[str, str] = {}
    for index, step in enumerate(model["steps"][1:], start=1):
        page.click("#next")
        assert page.inner_text("#counter") == f"step {index} of {len(model['steps']) - 1}"
        seen.update(step.get("grads", {}))
        assert shown_grads(page) == seen  # exactly the gradients reached so far
        assert page.inner_text("#title") == step["title"]
        assert page.inner_text("#numbers").splitlines() == step.get("numbers", [])
        if step.get("op"):
            assert page.get_attribute(f"#{step['op']}", "class").split().count("active") == 1
    assert page.is_disabled("#next") and not page.is_disabled("#prev")
    o.backward()
    assert shown_grads(page) == expected_grads(o)
    page.keyboard.press("Home")
    for _ in range(7):  # the forward pass, the start of the backward pass, then tanh
        page.keyboard.press("ArrowRight")
    assert page.inner_text("#numbers").startswith("tanh: grad_in = grad_out")
    page.keyboard.press("Home")
    assert shown_grads(page) == {} and page.is_disabled("#prev")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#counter").startswith("step 1 of")
    page.keyboard.press("End")
    assert page.is_disabled("#next")
    page.click("#reset")
    assert page.inner_text("#counter").startswith("step 0 of")
    page.click("#play")
    page.wait_for_function("() => window.explorer.step() >= 1")
    assert page.inner_text("#play") == "Pause"
    page.click("#play")
    assert page.inner_text("#play") == "Play"
    assert problems == []


def test_the_micrograd_mlp_page_opens_and_jumps_to_the_end(open_page):
    loss = commands._micrograd_mlp_example()
    page, problems, seconds = open_page(loss, "mlp.html")
    count = page.evaluate("window.explorer.count")
    print(f"micrograd MLP page: {len(graph_tensors(loss))} tensors, {count} steps, "
          f"opened in {seconds:.2f} s")
    page.keyboard.press("End")
    assert page.inner_text("#counter") == f"step {count - 1} of {count - 1}"
    assert page.is_disabled("#next")
    loss.backward()
    assert shown_grads(page) == expected_grads(loss)
    # A layer's box closes and opens again.
    node = model_of(ta.explore(loss).html)["clusters"]["c_layer_1"]["nodes"][0]
    page.click("#layer-c_layer_1")
    assert not page.is_visible(f"#{node}")
    page.click("#layer-c_layer_1")
    assert page.is_visible(f"#{node}")
    assert problems == []


def test_the_jupyter_iframe_runs_the_same_page(browser):
    page = browser.new_page()
    try:
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_content(ta.explore(neuron())._repr_html_())
        frame = page.frame_locator("iframe")
        frame.locator("#next").click()
        assert frame.locator("#counter").inner_text().startswith("step 1 of")
        frame.locator("body").press("End")
        assert frame.locator("#next").is_disabled()
        assert errors == []
    finally:
        page.close()
