"""The Python half of `make bench`: times talon, quotequail and mail-parser-reply on the input
sets written by `tidings-bench inputs DIR` and scores them on the email-forward-parser ground
truth, writing `peers.json`.

The timing method is the one of `crates/bench/src/timing.rs`, line for line: a pass handles
every input of a set once, a run repeats passes for at least 0.2 s, the median of 5 runs (3 when
a pass takes over 1 s, 1 over 5 s). A peer that cannot be imported is reported, not fatal.

Usage: peers.py INPUTS_DIR OUT.json
"""

import json
import statistics
import sys
import time
import warnings
from email.utils import parseaddr
from importlib.metadata import version
from pathlib import Path

MIN_RUN = 0.2
RUNS = 5
LONG_PASS = 1.0
SLOW_PASS = 5.0
# Within a scaling group, a peer whose pass took longer than this skips the larger inputs.
GIVE_UP_PASS = 20.0


def measure(one_pass):
    """Seconds per pass, as timing.rs measures it."""
    started = time.perf_counter()
    one_pass()
    first = time.perf_counter() - started
    runs = 1 if first >= SLOW_PASS else 3 if first >= LONG_PASS else RUNS
    results = []
    if runs == 1:
        results.append((first, 1))
    else:
        for _ in range(runs):
            started = time.perf_counter()
            passes = 0
            while passes == 0 or time.perf_counter() - started < MIN_RUN:
                one_pass()
                passes += 1
            results.append(((time.perf_counter() - started) / passes, passes))
    runs_s = [seconds for seconds, _ in results]
    results.sort()
    pass_s, passes = results[len(results) // 2]
    return {"pass_s": pass_s, "runs_s": runs_s, "passes": passes}


class Peer:
    """One library: how it handles HTML and text, and what it can say about a quote header."""

    name = ""
    package = ""
    can = ""

    def html(self, body):
        return None

    def text(self, body):
        return None

    def header(self, body, result):
        """(header found, (name, address) or None when the library gives no sender)."""
        raise NotImplementedError


class Talon(Peer):
    name = "talon"
    package = "talon"
    can = ("cuts the quoted part (HTML and text); no header fields; returns HTML with more than 419 '<' "
           "unchanged (talon.utils.html_too_big), which is why it is fast and finds nothing on big threads")

    def __init__(self):
        from talon import quotations

        self.quotations = quotations

    def html(self, body):
        return self.quotations.extract_from_html(body)

    def text(self, body):
        return self.quotations.extract_from_plain(body)

    def header(self, body, result):
        # Talon returns its input when it cuts nothing (after turning CRLF into LF).
        def normal(text):
            return text.replace("\r\n", "\n").strip()

        return (result is not None and normal(result) != normal(body), None)


class Quotequail(Peer):
    name = "quotequail"
    package = "quotequail"
    can = "finds the reply/forward header (HTML and text); gives from, date, subject as written"

    def __init__(self):
        import quotequail

        self.quotequail = quotequail

    def html(self, body):
        return self.quotequail.unwrap_html(body)

    def text(self, body):
        return self.quotequail.unwrap(body)

    def header(self, body, result):
        if not result:
            return (False, None)
        found = "from" in result or result.get("type") in ("reply", "forward")
        sender = parseaddr(result.get("from", "")) if "from" in result else ("", "")
        return (found, sender)


class MailParserReply(Peer):
    name = "mail-parser-reply"
    package = "mail-parser-reply"
    can = "splits text into replies with their raw header lines; text only, no header fields"

    def __init__(self):
        from mailparser_reply import EmailReplyParser
        from mailparser_reply.constants import MAIL_LANGUAGES

        # Every language it knows, since the corpus has ~25 ("david" is not a language).
        languages = [code for code in MAIL_LANGUAGES if len(code) == 2]
        self.parser = EmailReplyParser(languages=languages)
        self.can += " (languages: " + ", ".join(languages) + ")"

    def text(self, body):
        return self.parser.read(body)

    def header(self, body, result):
        replies = result.replies if result is not None else []
        return (any(reply.headers.strip() for reply in replies[1:]), None)


PEERS = [Talon, Quotequail, MailParserReply]


def handler(peer, kind):
    function = peer.html if kind == "html" else peer.text
    # A peer that does not override a kind's method cannot handle that kind.
    return function if getattr(type(peer), kind) is not getattr(Peer, kind) else None


def time_sets(peer, manifest, inputs):
    results = []
    given_up = {}
    for input_set in manifest["sets"]:
        entry = {"name": input_set["name"], "messages": len(input_set["files"])}
        function = handler(peer, input_set["kind"])
        group = input_set["group"]
        if function is None:
            entry["skipped"] = f"no {input_set['kind']} support"
        elif group in given_up:
            entry["skipped"] = given_up[group]
        else:
            bodies = [(inputs / f["path"]).read_text(encoding="utf-8") for f in input_set["files"]]
            errors = []

            def one_pass():
                errors.clear()
                for body in bodies:
                    try:
                        function(body)
                    except Exception as error:  # a peer's failure on one input is data, not a crash
                        errors.append(f"{type(error).__name__}: {error}"[:200])

            timing = measure(one_pass)
            entry.update(timing)
            entry["found"] = sum(int(found(peer, function, body)) for body in bodies)
            entry["errors"] = len(errors)
            if errors:
                entry["first_error"] = errors[0]
            rate = len(bodies) / timing["pass_s"]
            print(f"bench: {peer.name:<18} {input_set['name']:<18} {rate:10.1f} msgs/s"
                  + (f" ({len(errors)} errors)" if errors else ""), file=sys.stderr)
            if group != "throughput" and timing["pass_s"] > GIVE_UP_PASS:
                given_up[group] = f"gave up: {input_set['name']} took {timing['pass_s']:.0f} s per pass"
        results.append(entry)
    return results


def found(peer, function, body):
    """Whether the peer found a quote (header) in the body; a failure finds nothing."""
    try:
        return peer.header(body, function(body))[0]
    except Exception:
        return False


def score(peer, manifest, inputs):
    """Outermost header found / address / name + address against the ground truth."""
    for input_set in manifest["sets"]:
        truth = [f for f in input_set["files"] if f.get("expected")]
        function = handler(peer, input_set["kind"])
        if not truth or function is None:
            continue
        counts = {"files": 0, "header_found": 0, "address_exact": None, "sender_exact": None}
        for f in truth:
            body = (inputs / f["path"]).read_text(encoding="utf-8")
            counts["files"] += 1
            try:
                found, sender = peer.header(body, function(body))
            except Exception:
                found, sender = False, None
            counts["header_found"] += int(found)
            if sender is None:
                continue
            expected = f["expected"]
            name, address = sender
            address_right = address == (expected["email"] or "")
            counts["address_exact"] = (counts["address_exact"] or 0) + int(found and address_right)
            counts["sender_exact"] = (counts["sender_exact"] or 0) + int(
                found and address_right and name == (expected["name"] or ""))
        return counts
    return None


def main():
    # html5lib (under talon) warns about every Outlook namespace; the warnings say nothing here.
    warnings.simplefilter("ignore")
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    inputs, out = Path(sys.argv[1]), Path(sys.argv[2])
    manifest = json.loads((inputs / "manifest.json").read_text(encoding="utf-8"))
    report = {"python": sys.version.split()[0], "peers": []}
    for peer_class in PEERS:
        entry = {"name": peer_class.name, "can": peer_class.can}
        try:
            entry["version"] = version(peer_class.package)
            peer = peer_class()
        except Exception as error:
            entry["unavailable"] = f"{type(error).__name__}: {error}"
            print(f"bench: {peer_class.name} unavailable: {entry['unavailable']}", file=sys.stderr)
            report["peers"].append(entry)
            continue
        entry["can"] = peer.can
        entry["sets"] = time_sets(peer, manifest, inputs)
        entry["accuracy"] = score(peer, manifest, inputs)
        report["peers"].append(entry)
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
