"""The last step of `make bench`: merges the JSON written by `tidings-bench` (tidings.json,
sync.json, voicemail.json, app.json) and `bench/peers.py` (peers.json) in one directory into report.json,
report.md and scaling.svg beside them, with the machine, the commit and the date.

It measures nothing: every ratio is of numbers taken in the same run on the same machine.
A missing input file (e.g. the sync needs root and Dovecot) becomes a line in the report.

Usage: report.py DIR
"""

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

PEERS = ["talon", "quotequail", "mail-parser-reply"]
COMMAND = "make bench"


def load(directory, name):
    path = directory / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "os": f"{platform.system()} {platform.release()}"}


def commit():
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else "")


def rate(messages, timing):
    return messages / timing["pass_s"] if timing else None


def fit(xs, ys):
    """Least-squares line y = a + b x and its R²."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    ss_total = sum((y - mean_y) ** 2 for y in ys)
    ss_residual = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys))
    return {"intercept_s": intercept, "slope_s": slope, "r2": 1 - ss_residual / ss_total if ss_total else 1.0}


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def merge(tidings, peers, sync, voicemail, app):
    """One JSON document with every number the Markdown shows."""
    report = {"machine": machine(), "commit": commit(), "command": COMMAND,
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "notes": []}
    peer_entries = {peer["name"]: peer for peer in (peers or {}).get("peers", [])}
    report["peers"] = {name: {key: entry.get(key) for key in ("version", "can", "unavailable")}
                       for name, entry in peer_entries.items()}
    if peers:
        report["python"] = peers.get("python")
    else:
        report["notes"].append("peers.json missing: the Python peers did not run")
    if tidings is None:
        report["notes"].append("tidings.json missing: the mask engine was not timed")
        tidings = {"sets": [], "accuracy": None, "skipped": []}
    report["notes"].extend(tidings.get("skipped", []))

    sets = []
    for item in tidings["sets"]:
        row = {key: item[key] for key in ("name", "group", "x", "kind", "description", "messages", "bytes",
                                          "found", "quotes")}
        row["tidings_msgs_s"] = rate(item["messages"], item["tidings"])
        row["tidings_pass_s"] = item["tidings"]["pass_s"]
        row["floor_msgs_s"] = rate(item["messages"], item["floor"])
        row["floor_pass_s"] = item["floor"]["pass_s"] if item["floor"] else None
        row["tidings_over_floor"] = (row["tidings_msgs_s"] / row["floor_msgs_s"]) if item["floor"] else None
        row["peers"] = {}
        for name, entry in peer_entries.items():
            peer_set = next((s for s in entry.get("sets", []) if s["name"] == item["name"]), None)
            if peer_set is None or "pass_s" not in peer_set:
                row["peers"][name] = {"skipped": (peer_set or {}).get("skipped", entry.get("unavailable", "not run"))}
                continue
            peer_rate = rate(peer_set["messages"], peer_set)
            row["peers"][name] = {"msgs_s": peer_rate, "pass_s": peer_set["pass_s"], "found": peer_set.get("found"),
                                  "errors": peer_set.get("errors", 0), "first_error": peer_set.get("first_error"),
                                  "tidings_over_peer": row["tidings_msgs_s"] / peer_rate}
        sets.append(row)
    report["sets"] = sets

    accuracy = {}
    if tidings.get("accuracy"):
        accuracy["tidings"] = dict(tidings["accuracy"], can="header found, sender (name, address), date, time, zone")
    for name, entry in peer_entries.items():
        if entry.get("accuracy"):
            accuracy[name] = dict(entry["accuracy"], can=entry.get("can"))
    report["accuracy"] = accuracy

    report["scaling"] = {}
    for group, unit in (("depth", "quotes"), ("size", "bytes")):
        points = [row for row in sets if row["group"] == group]
        if len(points) < 2:
            continue
        xs = [row["x"] for row in points]
        curves = {"tidings": [row["tidings_pass_s"] for row in points],
                  "floor": [row["floor_pass_s"] for row in points]}
        curves["mask_work"] = [t - f for t, f in zip(curves["tidings"], curves["floor"])]
        for name in PEERS:
            # Only where the peer found the quote: talon returns big documents unchanged, fast.
            peer_rows = [row["peers"].get(name, {}) for row in points]
            times = [peer.get("pass_s") if peer.get("found") else None for peer in peer_rows]
            if any(time is not None for time in times):
                curves[name] = times
        scaling = {"unit": unit, "x": xs, "seconds": curves,
                   "fit": {name: fit(xs, ys) for name, ys in curves.items() if name in ("tidings", "floor", "mask_work")}}
        if group == "depth" and 10 in xs and 1000 in xs:
            low, high = xs.index(10), xs.index(1000)
            scaling["per_quote_1000_over_10"] = {
                name: (ys[high] / 1000) / (ys[low] / 10) for name, ys in curves.items()
                if name in ("tidings", "floor", "mask_work")}
        report["scaling"][group] = scaling

    if sync:
        full, floor = median(sync["full_sync_s"]), median(sync["floor_s"])
        report["sync"] = {
            "messages": sync["messages"], "mailbox_bytes": sync["mailbox_bytes"],
            "full_sync_s": full, "full_sync_msgs_s": sync["messages"] / full,
            "floor_s": floor, "floor_msgs_s": sync["messages"] / floor, "full_over_floor_time": full / floor,
            # The same two passes a sync makes (headers + BODYSTRUCTURE, then bodies), bare.
            "two_pass_floor_s": median(sync["floor_headers_then_bodies_s"])
            if sync.get("floor_headers_then_bodies_s") else None,
            "full_sync_tls_s": sync["full_sync_tls_s"],
            "unchanged_sync_s": median(sync["unchanged_sync_s"]),
            "idle_latency_s": median(sync["idle_latency_s"]),
            "full_sync_peak_rss_kb": sync.get("full_sync_peak_rss_kb"),
            "floor_peak_rss_kb": sync.get("floor_peak_rss_kb"),
        }
    else:
        report["notes"].append("sync.json missing: the sync bench did not run (it needs root and dovecot-imapd)")
    if voicemail:
        report["voicemail"] = voicemail
    else:
        report["notes"].append("voicemail.json missing: AMR decoding was not timed")
    if app:
        report["cold_start"] = app["cold_start"]
    else:
        report["notes"].append("app.json missing: the app's cold start was not measured (it needs an X display)")
    return report


def number(value):
    if value is None:
        return "—"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def milliseconds(seconds):
    """A duration with three significant digits in a unit that suits it."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale or unit == "µs":
            value = seconds / scale
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    return ""


def peer_cell(row, name):
    peer = row["peers"].get(name)
    if peer is None:
        return "not run"
    if "skipped" in peer:
        return "text only" if "no html" in peer["skipped"] else "—"
    cell = f"{number(peer['msgs_s'])} ({peer['found']}/{row['messages']}) · {peer['tidings_over_peer']:.1f}×"
    return cell + (f" ({peer['errors']} failed)" if peer["errors"] else "")


def summary(report):
    """The few numbers worth a glance, as a table (the README's Performance section shows it)."""
    rows = []
    by_name = {row["name"]: row for row in report["sets"]}

    def versus(row):
        parts = []
        if row["floor_msgs_s"]:
            parts.append(f"{1 / row['tidings_over_floor']:.1f}× the time of a bare html5ever parse")
        for name in PEERS:
            peer = row["peers"].get(name, {})
            if "msgs_s" in peer:
                parts.append(f"{peer['tidings_over_peer']:.1f}× {name}'s speed (it found {peer['found']}/{row['messages']})")
        return "; ".join(parts)

    for name, label in (("demo-html", "quote parsing, demo mailbox (HTML)"),
                        ("forward", "quote parsing, email-forward-parser fixtures (text)"),
                        ("generated-typical", "quote parsing, generated replies 5–50 KB"),
                        ("generated-large", "quote parsing, generated threads 0.2–2 MB")):
        row = by_name.get(name)
        if row:
            rows.append((label, f"{number(row['tidings_msgs_s'])} msgs/s", versus(row)))
    accuracy = report["accuracy"]
    if "tidings" in accuracy:
        ours = accuracy["tidings"]
        others = [f"{name} {counts['sender_exact'] / counts['files']:.0%}" for name, counts in accuracy.items()
                  if name != "tidings" and counts["sender_exact"] is not None]
        rows.append(("outermost sender exact, email-forward-parser", f"{ours['sender_exact'] / ours['files']:.0%}",
                     ", ".join(others) + " (talon and mail-parser-reply give no sender)"))
    depth = report["scaling"].get("depth", {})
    ratio = depth.get("per_quote_1000_over_10")
    if ratio:
        rows.append(("time per quote, 1 000 ÷ 10 nested quotes (1 = linear)", f"{ratio['tidings']:.2f}",
                     f"html5ever alone {ratio['floor']:.2f}, the mask's own work {ratio['mask_work']:.2f}; "
                     f"straight-line fit R² {depth['fit']['tidings']['r2']:.3f}"))
    if depth and 100 in depth.get("x", []):
        at = depth["x"].index(100)
        seconds = depth["seconds"]["tidings"][at]
        if seconds:
            rows.append(("thread with 100 nested quotes, rendered", milliseconds(seconds),
                         f"html5ever parse alone {milliseconds(depth['seconds']['floor'][at])}"))
    size = report["scaling"].get("size")
    if size:
        rows.append(("time per MB, 3 quotes, 5 KB … 2 MB", milliseconds(size["fit"]["tidings"]["slope_s"] * 1e6),
                     f"straight-line fit R² {size['fit']['tidings']['r2']:.4f}; html5ever alone "
                     f"{milliseconds(size['fit']['floor']['slope_s'] * 1e6)}"))
    sync = report.get("sync")
    if sync:
        rss = sync["full_sync_peak_rss_kb"]
        rows.append((f"full sync of {sync['messages']:,} messages, local Dovecot",
                     milliseconds(sync["full_sync_s"]),
                     f"{sync['full_over_floor_time']:.1f}× a bare UID FETCH"
                     + (f", {sync['full_sync_s'] / sync['two_pass_floor_s']:.1f}× the same two passes bare"
                        if sync.get("two_pass_floor_s") else "")
                     + (f"; peak RSS {rss / 1024:.0f} MB" if rss else "")))
        rows.append(("unchanged re-sync", milliseconds(sync["unchanged_sync_s"]), ""))
        rows.append(("IDLE: APPEND elsewhere → event", milliseconds(sync["idle_latency_s"]),
                     "of which 500 ms is Dovecot's notify delay"))
    for item in report.get("voicemail", []):
        rows.append((f"{item['codec']} decode", f"{item['times_real_time']:,.0f}× real time", ""))
    for item in report.get("cold_start", []):
        rows.append((f"app cold start → first list paint, {item['messages']:,} cached messages",
                     f"{item['first_paint_ms']:,.0f} ms",
                     f"release build, median of {len(item['runs_ms'])}; peak RSS {item['peak_rss_mb']:.0f} MB"))
    if not rows:
        return []
    return (["## Summary", "", "| what | Tidings | compared |", "|---|---:|---|"]
            + [f"| {what} | {value} | {compared} |" for what, value, compared in rows] + [""])


def markdown(report):
    lines = [f"# `{report['command']}` — {report['date']}", ""]
    m = report["machine"]
    peers = ", ".join(f"{name} {info['version']}" + (" (unavailable)" if info.get("unavailable") else "")
                      for name, info in report["peers"].items())
    lines += [f"Machine: {m['cpu']}, {m['cores']} cores, {m['os']}. Commit {report['commit']}. "
              f"Peers: {peers or 'none'} on Python {report.get('python', '?')}.",
              "Ratios are of numbers taken in this one run; absolute numbers vary between machines and runs.", ""]
    for note in report["notes"]:
        lines.append(f"- Note: {note}")
    if report["notes"]:
        lines.append("")

    lines += summary(report)
    lines += ["## Quote parsing: messages/s", "",
              "Same bodies for every tool (MIME already decoded). Tidings = `tidings_mask::render` (headers found, "
              "fields read, uniform HTML written, sanitised); floor = `scraper::Html::parse_document` alone. "
              "Peer cells: messages/s (messages where a quote was found / messages) · Tidings ÷ peer in messages/s "
              "(above 1: Tidings is faster).",
              "",
              "| input set | msgs | Tidings | floor · Tidings time ÷ floor time | " + " | ".join(PEERS) + " |",
              "|---|---:|---:|---:|" + "---:|" * len(PEERS)]
    for row in report["sets"]:
        if row["group"] != "throughput":
            continue
        floor = (f"{number(row['floor_msgs_s'])} · {1 / row['tidings_over_floor']:.1f}×"
                 if row["floor_msgs_s"] else "— (text)")
        lines.append(f"| {row['description']} | {row['messages']} | {number(row['tidings_msgs_s'])} "
                     f"({row['found']}/{row['messages']}) | {floor} | "
                     + " | ".join(peer_cell(row, name) for name in PEERS) + " |")
    lines.append("")
    for name, info in report["peers"].items():
        lines.append(f"- {name}: {info.get('unavailable') or info.get('can')}.")
    failures = [(row["name"], name, peer["first_error"]) for row in report["sets"]
                for name, peer in row["peers"].items() if peer.get("first_error")]
    for set_name, name, error in failures:
        lines.append(f"- {name} failed on {set_name}: `{error}`.")
    lines.append("")

    if report["accuracy"]:
        first = next(iter(report["accuracy"].values()))
        lines += [f"## Accuracy: outermost quote header, email-forward-parser fixtures ({first['files']} files)", "",
                  "Ground truth: the corpus README (sender John Doe <john.doe@acme.com> unless a variant says otherwise). "
                  "A sender counts when the tool's name and address both equal the expected ones; "
                  "a peer that gives no sender fields gets —.", "",
                  "| tool | header found | exact address | exact name + address | what it gives |",
                  "|---|---:|---:|---:|---|"]

        def share(count, files):
            return "—" if count is None else f"{count}/{files} ({count / files:.0%})"

        for name, counts in report["accuracy"].items():
            lines.append(f"| {name} | {share(counts['header_found'], counts['files'])} | "
                         f"{share(counts['address_exact'], counts['files'])} | "
                         f"{share(counts['sender_exact'], counts['files'])} | {counts['can']} |")
        lines.append("")

    depth = report["scaling"].get("depth")
    if depth:
        lines += ["## Scaling with nested quotes (about 300 bytes per message; chart: `scaling.svg`)", "",
                  "| quotes | Tidings | floor | mask work (Tidings − floor) | Tidings per quote | quotequail |",
                  "|---:|---:|---:|---:|---:|---:|"]
        seconds = depth["seconds"]
        for index, quotes in enumerate(depth["x"]):
            quotequail = seconds.get("quotequail", [None] * len(depth["x"]))[index]
            lines.append(f"| {quotes} | {milliseconds(seconds['tidings'][index])} | "
                         f"{milliseconds(seconds['floor'][index])} | {milliseconds(seconds['mask_work'][index])} | "
                         f"{milliseconds(seconds['tidings'][index] / quotes)} | "
                         f"{milliseconds(quotequail) if quotequail is not None else '—'} |")
        ratio = depth.get("per_quote_1000_over_10", {})
        fits = depth["fit"]
        lines += ["", "Time per quote at 1 000 quotes ÷ at 10 (1.0 = linear): "
                  + ", ".join(f"{name.replace('_', ' ')} {value:.2f}" for name, value in ratio.items())
                  + ". Straight-line fit R²: "
                  + ", ".join(f"{name.replace('_', ' ')} {f['r2']:.4f} ({f['slope_s'] * 1e6:.1f} µs per quote)"
                              for name, f in fits.items()) + ".", ""]
    size = report["scaling"].get("size")
    if size:
        lines += ["## Scaling with body size (3 quotes)", "",
                  "| size | Tidings | floor | Tidings per MB | quotequail |", "|---:|---:|---:|---:|---:|"]
        seconds = size["seconds"]
        for index, size_bytes in enumerate(size["x"]):
            quotequail = seconds.get("quotequail", [None] * len(size["x"]))[index]
            lines.append(f"| {size_bytes / 1000:,.0f} KB | {milliseconds(seconds['tidings'][index])} | "
                         f"{milliseconds(seconds['floor'][index])} | "
                         f"{milliseconds(seconds['tidings'][index] / size_bytes * 1e6)} | "
                         f"{milliseconds(quotequail) if quotequail is not None else '—'} |")
        fits = size["fit"]
        lines += ["", "Straight-line fit R²: " + ", ".join(
            f"{name.replace('_', ' ')} {f['r2']:.4f} ({f['slope_s'] * 1e9:.1f} ms per MB)" for name, f in fits.items())
            + ".", ""]

    sync = report.get("sync")
    if sync:
        mb = sync["mailbox_bytes"] / 1e6
        rss = sync["full_sync_peak_rss_kb"]
        floor_rss = sync["floor_peak_rss_kb"]
        rss_note = f"; peak RSS {rss / 1024:.0f} MB" if rss else ""
        floor_rss_note = f"peak RSS {floor_rss / 1024:.0f} MB" if floor_rss else ""
        lines += [f"## Sync: {sync['messages']:,} messages ({mb:.1f} MB), local Dovecot on loopback", "",
                  "Ours = `tidings_imap::sync_mailbox` (what `tidings_accounts::sync_folder` runs) into a sled store "
                  "on disk; floor = one bare `UID FETCH 1:* (BODY.PEEK[])` keeping nothing. Plain IMAP unless said.",
                  "",
                  "| what | time | messages/s | note |", "|---|---:|---:|---|",
                  f"| full sync, ours | {milliseconds(sync['full_sync_s'])} | {number(sync['full_sync_msgs_s'])} | "
                  f"{sync['full_over_floor_time']:.1f}× the floor's time{rss_note} |",
                  f"| floor: bare UID FETCH | {milliseconds(sync['floor_s'])} | {number(sync['floor_msgs_s'])} | "
                  f"{floor_rss_note} |",
                  *([f"| floor: the same two passes, bare | {milliseconds(sync['two_pass_floor_s'])} | "
                     f"{number(sync['messages'] / sync['two_pass_floor_s'])} | headers + BODYSTRUCTURE, then bodies; "
                     f"ours takes {sync['full_sync_s'] / sync['two_pass_floor_s']:.1f}× its time |"]
                    if sync.get("two_pass_floor_s") else []),
                  f"| full sync, ours, implicit TLS | {milliseconds(sync['full_sync_tls_s'])} | "
                  f"{number(sync['messages'] / sync['full_sync_tls_s'])} | one run |",
                  f"| unchanged re-sync | {milliseconds(sync['unchanged_sync_s'])} | — | nothing new, same session |",
                  f"| IDLE: APPEND elsewhere → event | {milliseconds(sync['idle_latency_s'])} | — | "
                  "Dovecot waits 500 ms before it notifies (`NOTIFY_DELAY_MSECS`) |", ""]

    if report.get("cold_start"):
        lines += ["## App: cold start to the first painted message list", "",
                  "Process start → the list's first rows painted (the app's own figure), under Xvfb.", "",
                  "| cached messages | first list paint | runs | spawn → exit | peak RSS |",
                  "|---:|---:|---|---:|---:|"]
        for item in report["cold_start"]:
            runs = ", ".join(f"{run:.0f}" for run in item["runs_ms"])
            lines.append(f"| {item['messages']:,} | {item['first_paint_ms']:,.0f} ms | {runs} ms | "
                         f"{item['wall_ms']:,.0f} ms | {item['peak_rss_mb']:.0f} MB |")
        lines.append("")

    if report.get("voicemail"):
        lines += ["## Voicemail: AMR decode (demo voicemails)", "",
                  "| codec | audio | decode | × real time |", "|---|---:|---:|---:|"]
        for item in report["voicemail"]:
            lines.append(f"| {item['codec']} | {item['audio_s']:.1f} s | {milliseconds(item['timing']['pass_s'])} | "
                         f"{item['times_real_time']:,.0f}× |")
        lines.append("")
    return "\n".join(lines)


def chart(report, path):
    """Time against quotes and against size, log–log, every tool that ran."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib missing: no scaling.svg"
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    for axis, group, label in ((axes[0], "depth", "nested quotes"), (axes[1], "size", "body size (bytes, 3 quotes)")):
        scaling = report["scaling"].get(group)
        if not scaling:
            continue
        for name, seconds in scaling["seconds"].items():
            points = [(x, s) for x, s in zip(scaling["x"], seconds) if s is not None and s > 0]
            if points:
                style = "-" if name in ("tidings", "floor") else "--"
                labels = {"floor": "html5ever parse (floor)", "mask_work": "Tidings − floor"}
                axis.plot(*zip(*points), style, marker="o", markersize=3, label=labels.get(name, name))
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(label)
        axis.set_ylabel("seconds per message")
        axis.grid(True, which="both", linewidth=0.3)
    axes[0].legend(fontsize=8)
    figure.suptitle(f"Time per message, {report['machine']['cpu']}, {report['date']} "
                    "(peers drawn only where they found the quote)", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, format="svg")
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = Path(sys.argv[1])
    report = merge(*(load(directory, name) for name in ("tidings.json", "peers.json", "sync.json", "voicemail.json", "app.json")))
    problem = chart(report, directory / "scaling.svg")
    if problem:
        report["notes"].append(problem)
    (directory / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (directory / "report.md").write_text(markdown(report), encoding="utf-8")
    print(f"bench: wrote {directory}/report.md, report.json, scaling.svg", file=sys.stderr)


if __name__ == "__main__":
    main()
