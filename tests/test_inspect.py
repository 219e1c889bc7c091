"""`refinery inspect` on a real ingest output (the fault corpus run by the ingest tests)."""
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
