"""The figures of one bench/run: a row per case (printed as it comes), ratios, single facts
(peak RSS), the mix and saga summaries, the issue's targets (met / not met), and the files
bench/results/latest.json and latest.md."""

import datetime
import json
import os
import platform as host_platform

from .common import summarize

ROW_FORMAT = "{:<11} {:<9} {:<46} {:>9} {:>8} {:>8} {:>8} {:>8}  {}"
HEADER = ROW_FORMAT.format("scenario", "shape", "case", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors", "")


class Report:
    def __init__(self, options):
        self.options = options
        self.rows = []
        self.ratios = []
        self.facts = {}
        self.failures = []
        self.header_printed = False

    # -- collecting -----------------------------------------------------------------

    def row(self, scenario, shape, case, figures, note=""):
        """One measured case; a case with errors is flagged."""
        entry = {"scenario": scenario, "shape": shape, "case": case, **figures}
        if figures.get("errors"):
            note = ("ERRORS " + note).strip()
        entry["note"] = note
        self.rows.append(entry)
        self.print_row(entry)
        return entry

    def print_row(self, entry):
        if not self.header_printed:
            print(HEADER, flush=True)
            self.header_printed = True
        print(ROW_FORMAT.format(entry["scenario"], entry["shape"], entry["case"][:46], f"{entry['rps']:.0f}",
                                f"{entry['p50']:.2f}", f"{entry['p95']:.2f}", f"{entry['p99']:.2f}", entry["errors"],
                                entry["note"]), flush=True)

    def ratio(self, name, numerator, denominator):
        value = numerator / denominator if denominator else 0.0
        self.ratios.append({"name": name, "value": value, "numerator": numerator, "denominator": denominator})
        print(f"  ratio {name}: {value:.2f} ({numerator:.0f} / {denominator:.0f} req/s)", flush=True)

    def fact(self, name, value):
        self.facts[name] = value
        print(f"  {name}: {value if value is None else round(value, 1)}", flush=True)

    def failure(self, scenario, message):
        self.failures.append({"scenario": scenario, "error": message})

    def mix(self, shape, rate, outcome):
        """The mix's rows (one per kind, then overall) and whether the target rate was held."""
        seconds = outcome["seconds"]
        every = []
        for kind, stats in sorted(outcome["kinds"].items()):
            figures = stats.figures(seconds)
            bad = {k: v for k, v in figures["statuses"].items() if not k.startswith("2")}
            self.row("mix", shape, kind, figures, " ".join(f"{k}x{v}" for k, v in bad.items()))
            every += stats.latencies
        errors = sum(s.errors for s in outcome["kinds"].values()) + outcome["unfinished"]
        held = outcome["achieved_rps"] >= 0.95 * rate and outcome["skipped"] == 0 and outcome["unfinished"] == 0
        note = "" if held else "RATE NOT HELD"
        overall = {"requests": len(every), "rps": outcome["achieved_rps"], "errors": errors, **summarize(every)}
        self.row("mix", shape, f"overall (target {rate} req/s)", overall, note)
        self.facts[f"mix {shape}"] = {
            "target_rps": rate, "achieved_rps": outcome["achieved_rps"], "held": held, "sent": outcome["sent"],
            "skipped": outcome["skipped"], "unfinished": outcome["unfinished"], "connections": outcome["connections"],
            "max_in_flight": outcome["max_in_flight"], "send_lag_ms": outcome["lag"], **{k: overall[k] for k in ("p95", "p99", "errors")}}
        print(f"  mix {shape}: achieved {outcome['achieved_rps']:.0f} of {rate} req/s "
              f"({'held' if held else 'NOT held: a shortfall hides queueing'}), {outcome['skipped']} skipped, "
              f"{outcome['unfinished']} unfinished; generator lag p99 {outcome['lag']['p99']:.1f} ms, "
              f"{outcome['connections']} connections, {outcome['max_in_flight']} in flight at most", flush=True)

    def saga(self, shape, case, outcomes, seconds):
        """A row of POST-to-settled latencies; orders/s when `seconds` is given."""
        settled = [ms for ms, status in outcomes if status in ("confirmed", "cancelled")]
        errors = len(outcomes) - len(settled)
        cancelled = sum(1 for _, status in outcomes if status == "cancelled")
        rate = len(settled) / seconds if seconds else (len(settled) / (sum(settled) / 1000.0) if settled else 0.0)
        figures = {"requests": len(outcomes), "rps": rate, "errors": errors, **summarize(settled), "cancelled": cancelled}
        note = f"{cancelled} cancelled" if cancelled else ""
        failures = sorted({status for _, status in outcomes if status not in ("confirmed", "cancelled")})
        note = " ".join([note] + failures).strip()
        self.row("saga", "embedded" if shape.startswith("SQLite + in-process") else "cluster", f"{shape}: {case}",
                 figures, note)
        if seconds:
            self.facts[f"saga {shape}: {case}"] = {"orders_per_s": rate, **figures}

    # -- targets ----------------------------------------------------------------------

    def find_ratio(self, name):
        return next((r["value"] for r in self.ratios if r["name"] == name), None)

    def targets(self):
        """[(target, measured text, met: True/False/None when not measured)]."""
        out = []

        def at_least(target, name, threshold):
            value = self.find_ratio(name)
            out.append((target, "not measured" if value is None else f"{value:.2f}x", None if value is None else value >= threshold))
        at_least("gateway >= 0.9x nginx (separate)", "product separate: gateway / nginx", 0.9)
        at_least("gateway >= 0.9x direct (embedded)", "product embedded: gateway / direct", 0.9)
        at_least("direct >= 0.6x ceiling", "direct product / ceiling", 0.6)
        for row in self.rows:
            if row["scenario"] == "listing" and row["case"].endswith("gateway") and not row["case"].startswith("categories"):
                ok = row["rps"] >= 3000 and row["p99"] <= 25 and not row["errors"]
                out.append((f"{row['case']} >= 3k req/s, p99 <= 25 ms", f"{row['rps']:.0f} req/s, p99 {row['p99']:.1f} ms", ok))
        if not any(r["scenario"] == "listing" for r in self.rows):
            out.append(("listing/search through gateway >= 3k req/s, p99 <= 25 ms", "not measured", None))
        for shape in ("embedded", "cluster"):
            mix = self.facts.get(f"mix {shape}")
            if mix is None:
                out.append((f"mix {shape}: p95 <= 25 ms, p99 <= 50 ms, 0 errors, rate held", "not measured", None))
                continue
            ok = mix["p95"] <= 25 and mix["p99"] <= 50 and mix["errors"] == 0 and mix["held"]
            out.append((f"mix {shape}: p95 <= 25 ms, p99 <= 50 ms, 0 errors, rate held",
                        f"p95 {mix['p95']:.1f}, p99 {mix['p99']:.1f} ms, {mix['errors']} errors, "
                        f"{mix['achieved_rps']:.0f}/{mix['target_rps']} req/s", ok))
        saga_rows = [r for r in self.rows if r["scenario"] == "saga" and "one shopper" in r["case"]]
        for row in saga_rows:
            out.append((f"saga p95 <= 40 ms ({row['case'].split(':')[0]})", f"p95 {row['p95']:.1f} ms, {row['errors']} errors",
                        row["p95"] <= 40 and not row["errors"]))
        if not saga_rows:
            out.append(("saga p95 <= 40 ms every shape", "not measured", None))
        concurrent = next((v for k, v in self.facts.items() if k.startswith("saga PostgreSQL + RabbitMQ")), None)
        out.append((">= 100 orders/s, 16 shoppers, PG + RabbitMQ",
                    "not measured" if concurrent is None else f"{concurrent['orders_per_s']:.0f} orders/s, p95 {concurrent['p95']:.1f} ms",
                    None if concurrent is None else concurrent["orders_per_s"] >= 100))
        rss = self.facts.get("embedded peak RSS after the mix (MiB)")
        out.append(("embedded peak RSS <= 150 MiB", "not measured" if rss is None else f"{rss:.0f} MiB",
                    None if rss is None else rss <= 150))
        return out

    # -- output -----------------------------------------------------------------------

    def print_summary(self):
        print("\n" + HEADER)
        for entry in self.rows:
            self.print_row(entry)
        if self.ratios:
            print("\nratios")
            for r in self.ratios:
                print(f"  {r['name']:<40} {r['value']:.2f}")
        print("\ntargets")
        for target, measured, met in self.targets():
            print(f"  {target:<58} {measured:<44} {verdict(met)}")
        for failure in self.failures:
            print(f"\nFAILED scenario {failure['scenario']}: {failure['error']}")

    def write(self, directory, meta):
        os.makedirs(directory, exist_ok=True)
        document = {"meta": meta, "rows": self.rows, "ratios": self.ratios, "facts": self.facts,
                    "targets": [{"target": t, "measured": m, "met": met} for t, m, met in self.targets()],
                    "failures": self.failures}
        with open(os.path.join(directory, "latest.json"), "w") as f:
            json.dump(document, f, indent=2, default=str)
        with open(os.path.join(directory, "latest.md"), "w") as f:
            f.write(self.markdown(meta))

    def markdown(self, meta):
        lines = [f"bench/run on {meta['date']}: {meta['host']}; binary {meta['binary']}; "
                 f"wrk -t2 -c{meta['connections']}, {meta['duration']} s per case; mix {meta['rate']} req/s for "
                 f"{meta['mix_duration']} s.", "",
                 "| scenario | shape | case | req/s | p50 ms | p95 ms | p99 ms | errors | note |",
                 "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for r in self.rows:
            lines.append(f"| {r['scenario']} | {r['shape']} | {r['case']} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p95']:.2f} | "
                         f"{r['p99']:.2f} | {r['errors']} | {r['note']} |")
        if self.ratios:
            lines += ["", "| ratio | value |", "|---|---:|"] + [f"| {r['name']} | {r['value']:.2f} |" for r in self.ratios]
        lines += ["", "| target | measured | verdict |", "|---|---|---|"]
        lines += [f"| {t} | {m} | {verdict(met)} |" for t, m, met in self.targets()]
        for failure in self.failures:
            lines.append(f"\n**Scenario {failure['scenario']} failed:** {failure['error'].splitlines()[0]}")
        return "\n".join(lines) + "\n"


def verdict(met):
    return "not measured" if met is None else ("met" if met else "NOT MET")


def host_description():
    cores = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    return f"{cores} cores, {mem:.0f} GiB, {host_platform.system()} {host_platform.release()}"


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
