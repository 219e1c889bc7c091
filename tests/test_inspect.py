"""`refinery inspect`: on a real ingest output (the fault corpus run by the ingest tests), and its triggering lines."""
import pyarrow as pa
from refinery.cli import main


def test_inspect_lists_reasons_and_prints_samples(fault_output, capsys):
    _, stats, out = fault_output
    assert main(["inspect", str(out)]) == 0
    listing = capsys.readouterr().out
    for reason in stats["rejected_by_reason"]:
        assert reason in listing
    assert main(["inspect", str(out), "--reason", "ingest.http_status", "--n", "5"]) == 0
    shown = capsys.readouterr().out
    assert "ingest.http_status  value=404.0" in shown and "raw bytes" not in shown.splitlines()[0]
    assert main(["inspect", str(out), "--reason", "ingest.bad_json"]) == 0
    assert "raw bytes:" in capsys.readouterr().out
    assert main(["inspect", str(out), "--reason", "no.such_reason"]) == 1


def test_triggering_lines_are_read_on_the_prose_view_the_rule_measured():
    """A prose rule (FineWeb's short lines) measured a page without its code block, so inspect
    marks lines of that view: the code lines, short as they are, are neither listed nor marked."""
    from refinery.filters.structure import prose_texts
    from refinery.inspect import triggering_lines

    code = ["def f(x):", "    y = x + 1", "    return {'y': y}", "print(f(2))"]
    prose = ["Short one.", "Also short.", "A longer line of explanation that ends in a full stop."]
    text = "\n".join(prose[:2] + code + prose[2:])
    assert prose_texts(pa.array([text]))[0][0].as_py() == "\n".join(prose)  # the view the rule measured

    row = {"reason": "fineweb.short_line_ratio", "text": text, "lang": "en", "detail": "profile=en"}
    stats = {"run": {"config": {"resolved": {"en": {"tokens": "words", "short_line_length": 30, "prose_view": True}}}}}
    lines = triggering_lines(row, stats)
    assert [line for line, _ in lines] == prose
    assert [line for line, hit in lines if hit] == prose[:2]

    stats["run"]["config"]["resolved"]["en"]["prose_view"] = False  # datatrove's whole-text behaviour
    hits = [line for line, hit in triggering_lines(row, stats) if hit]
    assert hits == prose[:2] + code
