#!/usr/bin/env python3
"""Writes Comptoir's Grafana dashboards, as JSON files next to this script.

    deploy/monitoring/dashboards/generate.py [--out DIR]

The dashboards are generated so that the twelve per-component dashboards share one definition
instead of twelve copies. The JSON files are committed too (the Grafana sidecar loads them from
the ConfigMaps of kustomization.yaml, which this script writes as well), and
scripts/check-dashboards fails when they are not what this script writes. Python 3, standard
library only. Metric names and labels are the contract between the code and deploy/monitoring
(issue 15: every component's /metrics, the SLO recording rules):

  comptoir-overview.json          platform overview: SLO burn and budget, RED per service from the
                                  gateway's view, the saga, errors by kind, firing alerts
  comptoir-service-<id>.json      one per component (the gateway and the eleven services)
  comptoir-messaging.json         outbox, relay, consumers, delivery lag, RabbitMQ queues
  comptoir-data-tier.json         PostgreSQL, Redis and RabbitMQ servers, per instance

Every dashboard takes its data source from the `datasource` variable (type prometheus) and its
environment from the `namespace` variable (All matches series without the label too, as outside
Kubernetes). Thresholds sit at the SLOs: 500 ms (95 % of requests faster), 99.9 % available.
"""

import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
EDGES = os.path.join(ROOT, "deploy", "k8s", "edges.yaml")

SERVICES = ["auth", "products", "baskets", "orders", "deliveries", "addresses", "websites", "sav", "contacts",
            "newsletters", "questions"]
COMPONENTS = ["gateway"] + SERVICES

# The SLOs (issue 15): availability 99.9 % (budget 0.001 of requests failing with a
# 5xx), latency 95 % under 500 ms (budget 0.05 of requests slower).
AVAILABILITY_BUDGET = 0.001
LATENCY_BUDGET = 0.05
LATENCY_SLO_SECONDS = 0.5

DS = {"type": "prometheus", "uid": "${datasource}"}
NS = 'namespace=~"$namespace"'
NOT_PROBES = 'route!~"/health/.*|/metrics"'
RI = "$__rate_interval"


def uses():
    """What each workload uses, from deploy/k8s/edges.yaml's `uses:` block (`  id: [a, b]` lines),
    so that the dashboards show messaging panels exactly for the services that talk to RabbitMQ."""
    result, inside = {}, False
    with open(EDGES) as f:
        for line in f:
            if re.match(r"^uses:\s*$", line):
                inside = True
                continue
            if inside:
                m = re.match(r"^\s+([a-z]+):\s*\[([^\]]*)\]", line)
                if m:
                    result[m.group(1)] = [x.strip() for x in m.group(2).split(",") if x.strip()]
                elif line.strip() and not line.startswith(" "):
                    break
    if sorted(result) != sorted(COMPONENTS):
        sys.exit(f"generate.py: edges.yaml's uses lists {sorted(result)}, not the twelve components")
    return result


# ---------------------------------------------------------------------------------------------
# Panels


def thresholds(*steps, base="green"):
    """Absolute thresholds: the base colour, then (value, colour) steps."""
    return {"mode": "absolute", "steps": [{"color": base, "value": None}] + [{"color": c, "value": v} for v, c in steps]}


SLO_LATENCY = thresholds((LATENCY_SLO_SECONDS, "red"))
SLO_ERRORS = thresholds((AVAILABILITY_BUDGET, "red"))
SLO_SLOW = thresholds((LATENCY_BUDGET, "red"))
BURN = thresholds((1, "yellow"), (6, "orange"), (14.4, "red"))
BUDGET_LEFT = thresholds((0, "orange"), (0.25, "green"), base="red")
ANY_IS_BAD = thresholds((1, "red"))
NEUTRAL = thresholds(base="blue")


def target(expr, legend="", ref="A", instant=False, fmt=None):
    t = {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend or "__auto", "range": not instant, "instant": instant}
    if fmt:
        t["format"] = fmt
    return t


def targets(*pairs, instant=False, fmt=None):
    """(expr, legend) pairs, refIds A, B, C..."""
    return [target(e, l, chr(ord("A") + i), instant, fmt) for i, (e, l) in enumerate(pairs)]


def panel(kind, title, description, tgts, unit="short", w=8, h=8, th=None, decimals=None, min_=0, max_=None,
          options=None, custom=None, overrides=None, mappings=None, links=None, transformations=None):
    defaults = {"unit": unit, "color": {"mode": "palette-classic" if kind == "timeseries" else "thresholds"},
                "thresholds": th or NEUTRAL, "mappings": mappings or []}
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if decimals is not None:
        defaults["decimals"] = decimals
    if custom:
        defaults["custom"] = custom
    if links:
        defaults["links"] = links
    p = {"type": kind, "title": title, "description": description, "datasource": DS,
         "gridPos": {"w": w, "h": h}, "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
         "options": options or {}, "targets": tgts}
    if transformations:
        p["transformations"] = transformations
    return p


def timeseries(title, description, tgts, unit="short", w=8, h=8, th=None, stack=False, bars=False,
               legend_calcs=("mean", "max", "lastNotNull"), **kw):
    custom = {"drawStyle": "bars" if bars else "line", "lineWidth": 1, "fillOpacity": 60 if bars else 10,
              "showPoints": "never", "spanNulls": False, "gradientMode": "none", "axisSoftMin": 0,
              "stacking": {"mode": "normal" if stack else "none", "group": "A"},
              "thresholdsStyle": {"mode": "dashed" if th else "off"}}
    options = {"legend": {"displayMode": "table", "placement": "bottom", "showLegend": True, "calcs": list(legend_calcs)},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    return panel("timeseries", title, description, tgts, unit=unit, w=w, h=h, th=th, custom=custom, options=options, **kw)


def stat(title, description, tgts, unit="short", w=4, h=4, th=None, text_mode="auto", graph=True, **kw):
    options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
               "colorMode": "value", "graphMode": "area" if graph else "none", "textMode": text_mode,
               "justifyMode": "auto", "orientation": "auto", "wideLayout": True, "showPercentChange": False}
    return panel("stat", title, description, tgts, unit=unit, w=w, h=h, th=th, options=options, **kw)


def bargauge(title, description, tgts, unit="short", w=8, h=8, th=None, **kw):
    options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
               "displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True, "valueMode": "color",
               "namePlacement": "auto", "sizing": "auto", "minVizHeight": 16, "minVizWidth": 8, "maxVizHeight": 300}
    return panel("bargauge", title, description, tgts, unit=unit, w=w, h=h, th=th, **kw, options=options)


def table(title, description, tgts, w=24, h=8, overrides=None, organize=None, unit="short", **kw):
    transformations = [{"id": "merge", "options": {}}]
    if organize:
        transformations.append({"id": "organize", "options": organize})
    options = {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"], "fields": ""}}
    return panel("table", title, description, tgts, unit=unit, w=w, h=h, options=options, overrides=overrides,
                 transformations=transformations, custom={"align": "auto", "cellOptions": {"type": "auto"}, "filterable": False},
                 **kw)


def heatmap(title, description, expr, w=12, h=8):
    options = {"calculate": False, "cellGap": 1, "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64, "exponent": 0.5,
                                                        "fill": "dark-orange", "reverse": False},
               "yAxis": {"axisPlacement": "left", "unit": "s", "reverse": False}, "rowsFrame": {"layout": "auto"},
               "cellValues": {"unit": "short"}, "filterValues": {"le": 1e-9},
               "legend": {"show": True}, "tooltip": {"mode": "single", "yHistogram": False, "showColorScale": False},
               "exemplars": {"color": "rgba(255,0,255,0.7)"}}
    p = panel("heatmap", title, description, [target(expr, "{{le}}", fmt="heatmap")], unit="s", w=w, h=h, options=options, min_=None)
    p["targets"][0]["interval"] = ""
    return p


def row(title):
    return {"type": "row", "title": title, "collapsed": False, "panels": [], "gridPos": {"w": 24, "h": 1}}


def field_override(name, **props):
    """An override of the field named `name` (e.g. "Value #B" of a merged table)."""
    properties = []
    for key, value in props.items():
        properties.append({"id": {"unit": "unit", "thresholds": "thresholds", "displayName": "displayName",
                                  "decimals": "decimals", "cell": "custom.cellOptions", "links": "links"}[key], "value": value})
    return {"matcher": {"id": "byName", "options": name}, "properties": properties}


COLOR_CELL = {"type": "color-background", "mode": "basic"}
UP_DOWN = [{"type": "value", "options": {"0": {"text": "down", "color": "red", "index": 0},
                                         "1": {"text": "up", "color": "green", "index": 1}}}]
ALARM = [{"type": "value", "options": {"0": {"text": "ok", "color": "green", "index": 0},
                                       "1": {"text": "ALARM", "color": "red", "index": 1}}}]


# ---------------------------------------------------------------------------------------------
# Dashboards


def variable_datasource():
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus", "current": {},
            "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": "", "skipUrlSync": False}


def variable_query(name, label, query, multi=True, include_all=True, hide=0):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "definition": query, "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
         "current": {"selected": True, "text": ["All"], "value": ["$__all"]} if include_all else {},
         "hide": hide, "includeAll": include_all, "multi": multi, "options": [], "refresh": 2, "regex": "",
         "skipUrlSync": False, "sort": 1}
    if include_all:
        # Also matches series without the label (outside Kubernetes there is no namespace).
        v["allValue"] = ".*"
    return v


def variable_namespace():
    return variable_query("namespace", "Environment", "label_values(comptoir_build_info, namespace)")


def layout(panels):
    """Places panels left to right in rows of 24 columns; a row panel starts a new line."""
    x = y = 0
    line_h = 0
    out = []
    for i, p in enumerate(panels, 1):
        w, h = p["gridPos"]["w"], p["gridPos"]["h"]
        if p["type"] == "row" or x + w > 24:
            y += line_h
            x, line_h = 0, 0
        p["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
        p["id"] = i
        out.append(p)
        if p["type"] == "row":
            y += 1
        else:
            x += w
            line_h = max(line_h, h)
    return out


def dashboard(uid, title, description, variables, panels, tags=()):
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["comptoir", *tags],
        "editable": True,
        "graphTooltip": 1,
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "weekStart": "",
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
                                  "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts",
                                  "type": "dashboard"}]},
        "links": [{"title": "Comptoir", "type": "dashboards", "tags": ["comptoir"], "asDropdown": True, "includeVars": True,
                   "keepTime": True, "icon": "external link", "targetBlank": False, "tooltip": "", "url": ""}],
        "templating": {"list": [variable_datasource(), variable_namespace(), *variables]},
        "panels": layout(panels),
    }


def service_link(ref="${__field.labels.service}"):
    """A link to the dashboard of the service a series (or, with ${__data.fields.service}, a table row) is about."""
    return [{"title": f"Dashboard of {ref}",
             "url": f"/d/comptoir-service-{ref}?${{__url_time_range}}&${{datasource:queryparam}}&${{namespace:queryparam}}"}]


# --- shared queries -----------------------------------------------------------------------------


def upstream(service_matcher, extra=""):
    """The gateway's proxied requests to the services: the SLI source."""
    return f'gateway_upstream_request_duration_seconds_count{{{service_matcher}, {NS}{extra}}}'


def upstream_bucket(service_matcher, extra=""):
    return f'gateway_upstream_request_duration_seconds_bucket{{{service_matcher}, {NS}{extra}}}'


def quantile(q, bucket, by):
    return f"histogram_quantile({q}, sum by ({by}, le) (rate({bucket}[{RI}])))"


def ratio(num, den, by):
    return f"sum by ({by}) (rate({num}[{RI}])) / sum by ({by}) (rate({den}[{RI}]))"


def budget_panels(service_matcher, by, w=6):
    """Burn rates (multiples of the budget) and the budget left over 30 days, from the SLO rules."""
    s = f"{{{service_matcher}, {NS}}}"
    legend = "{{service}}" if by else ""
    agg = (lambda e: f"max by (service) ({e})") if by else (lambda e: f"max({e})")
    return [
        bargauge("Availability burn rate (1h)",
                 "How fast is the error budget (0.1 % of requests may fail with a 5xx) being spent right now? 1 = exactly "
                 "on budget over 30 days; 14.4 sustained over 1 h (and 5 m) pages (ComptoirAvailabilityFastBurn), 6 over "
                 "6 h pages too. From slo:availability_errors:ratio_rate1h divided by the budget.",
                 [target(agg(f"slo:availability_errors:ratio_rate1h{s}") + f" / {AVAILABILITY_BUDGET}", legend)],
                 unit="suffix:×", w=w, th=BURN, decimals=2),
        bargauge("Latency burn rate (1h)",
                 "How fast is the latency budget (5 % of requests may take more than 500 ms) being spent? Same scale "
                 "as the availability burn: 14.4 pages. From slo:latency_slow:ratio_rate1h divided by the budget.",
                 [target(agg(f"slo:latency_slow:ratio_rate1h{s}") + f" / {LATENCY_BUDGET}", legend)],
                 unit="suffix:×", w=w, th=BURN, decimals=2),
        bargauge("Availability error budget left (30 d)",
                 "How much of the 30-day availability budget is left? Approximated as 1 − (the 3-day error ratio "
                 "averaged over 30 days) / 0.001: each rule sample counts equally, not each request. Negative: "
                 "the SLO (99.9 %) is missed for the period.",
                 [target(f"1 - " + agg(f"avg_over_time(slo:availability_errors:ratio_rate3d{s}[30d])") + f" / {AVAILABILITY_BUDGET}", legend)],
                 unit="percentunit", w=w, th=BUDGET_LEFT, decimals=1, min_=0, max_=1),
        bargauge("Latency error budget left (30 d)",
                 "How much of the 30-day latency budget is left? 1 − (the 3-day share of requests slower than 500 ms, "
                 "averaged over 30 days) / 0.05. Negative: fewer than 95 % of requests were under 500 ms.",
                 [target(f"1 - " + agg(f"avg_over_time(slo:latency_slow:ratio_rate3d{s}[30d])") + f" / {LATENCY_BUDGET}", legend)],
                 unit="percentunit", w=w, th=BUDGET_LEFT, decimals=1, min_=0, max_=1),
    ]


def burn_history(service_matcher, legend_prefix):
    s = f"{{{service_matcher}, {NS}}}"
    lp = legend_prefix
    return [
        timeseries("Availability burn rate, by window",
                   "Is the error budget burning fast enough to page? The multi-window pairs of the alerts: 5 m and 1 h "
                   "(page above 14.4), 30 m and 6 h (page above 6), 6 h and 3 d (ticket above 1).",
                   targets(*[(f"max by (service) (slo:availability_errors:ratio_rate{win}{s}) / {AVAILABILITY_BUDGET}", f"{lp}{win}")
                             for win in ("5m", "1h", "6h", "3d")]),
                   unit="suffix:×", w=12, th=BURN),
        timeseries("Latency burn rate, by window",
                   "Is the latency budget (5 % slower than 500 ms) burning fast enough to page? Same windows and "
                   "multiples as the availability burn.",
                   targets(*[(f"max by (service) (slo:latency_slow:ratio_rate{win}{s}) / {LATENCY_BUDGET}", f"{lp}{win}")
                             for win in ("5m", "1h", "6h", "3d")]),
                   unit="suffix:×", w=12, th=BURN),
    ]


def process_panels(sel, w=6):
    return [
        timeseries("CPU", "How many cores does each instance use? rate(process_cpu_seconds_total): 100 % = one core. "
                   "Compare with the container's limit (dev 500m, staging and prod 1000m).",
                   [target(f"rate(process_cpu_seconds_total{sel}[{RI}])", "{{instance}}")], unit="percentunit", w=w),
        timeseries("Resident memory", "How much memory does each instance hold? process_resident_memory_bytes; the "
                   "container is killed at its limit (dev 512Mi, staging 1Gi, prod 2Gi).",
                   [target(f"process_resident_memory_bytes{sel}", "{{instance}}")], unit="bytes", w=w),
        timeseries("Open file descriptors, share of the limit",
                   "Is an instance running out of file descriptors (sockets, files)? process_open_fds / process_max_fds; "
                   "above 80 % new connections start failing soon.",
                   [target(f"process_open_fds{sel} / process_max_fds{sel}", "{{instance}}")],
                   unit="percentunit", w=w, th=thresholds((0.8, "red")), max_=1),
        timeseries("Open file descriptors", "How many descriptors are open, against the limit?",
                   targets((f"process_open_fds{sel}", "{{instance}} open"), (f"max(process_max_fds{sel})", "limit")), w=w),
    ]


def messaging_panels(sel, by="type", w=8):
    """Outbox, relay, consumers of one service (sel is its matcher set) or of the selected ones."""
    legend = "{{%s}}" % by
    return [
        timeseries("Outbox: rows waiting", "Are events piling up before RabbitMQ? outbox_pending: rows written with "
                   "their transaction and not yet published. Rising and not falling: the relay cannot publish "
                   "(broker down, blocked by an alarm).",
                   [target(f"max by (service) (outbox_pending{sel})", "{{service}}")], w=w),
        timeseries("Outbox: age of the oldest row", "How late is the oldest unpublished event? outbox_lag_seconds "
                   "(0 when none wait); the saga cannot move faster than this.",
                   [target(f"max by (service) (outbox_lag_seconds{sel})", "{{service}}")], unit="s", w=w,
                   th=thresholds((60, "orange"), (300, "red"))),
        timeseries("Outbox: rows given up on", "Has the relay given up on events? outbox_dead: rows set aside after "
                   "12 failed publications, each a saga step that will not happen without an operator (their type is "
                   "in the log line and in outbox_messages).",
                   [target(f"max by (service) (outbox_dead{sel})", "{{service}} dead now")],
                   w=w, th=ANY_IS_BAD),
        timeseries("Published vs confirmed", "Does the broker confirm what the relay publishes? "
                   "events_published_total and events_confirmed_total per second; a gap means unconfirmed "
                   "publishes (they are retried, so duplicates may follow).",
                   targets((f"sum by ({by}) (rate(events_published_total{sel}[{RI}]))", f"published {legend}"),
                           (f"sum by ({by}) (rate(events_confirmed_total{sel}[{RI}]))", f"confirmed {legend}")),
                   unit="cps", w=w),
        timeseries("Consumed and duplicates", "How many events are handled, and how many were already seen (the "
                   "inbox drops them)? events_consumed_total and events_duplicates_total per second.",
                   targets((f"sum by ({by}) (rate(events_consumed_total{sel}[{RI}]))", f"consumed {legend}"),
                           (f"sum by ({by}) (rate(events_duplicates_total{sel}[{RI}]))", f"duplicate {legend}")),
                   unit="cps", w=w),
        timeseries("Handler failures, redeliveries, dead letters", "Are consumers failing? "
                   "events_handler_failures_total (a handler threw), events_redelivered_total (RabbitMQ delivered "
                   "again), events_dead_lettered_total (given up: the message is in <service>.events.dlq).",
                   targets((f"sum by ({by}) (rate(events_handler_failures_total{sel}[{RI}]))", f"failed {legend}"),
                           (f"sum by ({by}) (rate(events_redelivered_total{sel}[{RI}]))", f"redelivered {legend}"),
                           (f"sum by ({by}) (rate(events_dead_lettered_total{sel}[{RI}]))", f"dead-lettered {legend}")),
                   unit="cps", w=w, th=thresholds((0.001, "red"))),
        timeseries("Delivery lag p95, by event type", "How long after an event occurred is it handled? p95 of "
                   "events_delivery_lag_seconds (occurred_at to the consumer's handling): the saga's lag.",
                   [target(quantile(0.95, f"events_delivery_lag_seconds_bucket{sel}", "type"), "{{type}}")],
                   unit="s", w=w),
    ]


# --- the overview -------------------------------------------------------------------------------


def overview():
    svc = 'service=~"$service"'
    up_all = upstream(svc)
    up_5xx = upstream(svc, ', status=~"5.."')
    gw = f'service="gateway", {NS}, {NOT_PROBES}'
    gw_count = f"http_server_request_duration_seconds_count{{{gw}}}"
    gw_5xx = f'http_server_request_duration_seconds_count{{{gw}, status=~"5.."}}'
    gw_bucket = f"http_server_request_duration_seconds_bucket{{{gw}}}"
    red_table = table(
        "RED per service, as the gateway sees it",
        "Which service is slow or failing now? Requests per second, share of 5xx, p50/p95/p99 latency and share "
        "slower than 500 ms over the last 5 minutes, from gateway_upstream_request_duration_seconds (a stopped "
        "service counts, as 502/503/504). Red cells miss the SLO. Click a service for its dashboard.",
        targets((f"sum by (service) (rate({up_all}[5m]))", ""),
                (f"sum by (service) (rate({up_5xx}[5m])) / sum by (service) (rate({up_all}[5m]))", ""),
                (f"histogram_quantile(0.5, sum by (service, le) (rate({upstream_bucket(svc)}[5m])))", ""),
                (f"histogram_quantile(0.95, sum by (service, le) (rate({upstream_bucket(svc)}[5m])))", ""),
                (f"histogram_quantile(0.99, sum by (service, le) (rate({upstream_bucket(svc)}[5m])))", ""),
                (f'1 - sum by (service) (rate({upstream_bucket(svc, ", le=" + chr(34) + "0.5" + chr(34))}[5m])) '
                 f"/ sum by (service) (rate({up_all}[5m]))", ""),
                instant=True, fmt="table"),
        h=9,
        organize={"excludeByName": {"Time": True},
                  "renameByName": {"Value #A": "requests/s", "Value #B": "5xx", "Value #C": "p50", "Value #D": "p95",
                                   "Value #E": "p99", "Value #F": "slower than 500 ms"}},
        overrides=[field_override("service", links=service_link("${__data.fields.service}")),
                   field_override("Value #A", unit="reqps", decimals=2),
                   field_override("Value #B", unit="percentunit", decimals=3, thresholds=SLO_ERRORS, cell=COLOR_CELL),
                   field_override("Value #C", unit="s", thresholds=SLO_LATENCY, cell=COLOR_CELL),
                   field_override("Value #D", unit="s", thresholds=SLO_LATENCY, cell=COLOR_CELL),
                   field_override("Value #E", unit="s", thresholds=SLO_LATENCY),
                   field_override("Value #F", unit="percentunit", decimals=2, thresholds=SLO_SLOW, cell=COLOR_CELL)])
    panels = [
        row("Service levels: the error budget"),
        *budget_panels(svc, by=True),
        *burn_history(svc, "{{service}} "),
        row("RED per service (the gateway's view: the SLI)"),
        red_table,
        timeseries("Requests per second, by service", "How much traffic does each service get through the gateway? "
                   "rate of gateway_upstream_request_duration_seconds_count.",
                   [target(f"sum by (service) (rate({up_all}[{RI}]))", "{{service}}")], unit="reqps", w=8, links=service_link()),
        timeseries("5xx ratio, by service", "Which services fail requests? Share answered 5xx (including 502/503/504 "
                   "from the gateway when the service is down, timed out or its circuit is open). The dashed line is "
                   "the availability SLO (0.1 %).",
                   [target(ratio(up_5xx, up_all, "service"), "{{service}}")], unit="percentunit", w=8, th=SLO_ERRORS,
                   links=service_link()),
        timeseries("Share slower than 500 ms, by service", "Which services miss the latency SLO? Share of requests "
                   "slower than 500 ms (bucket le=0.5); the dashed line is the budget (5 %).",
                   [target(f'1 - sum by (service) (rate({upstream_bucket(svc, ", le=" + chr(34) + "0.5" + chr(34))}[{RI}])) '
                           f"/ sum by (service) (rate({up_all}[{RI}]))", "{{service}}")],
                   unit="percentunit", w=8, th=SLO_SLOW, links=service_link()),
        *[timeseries(f"Latency p{int(q * 100)}, by service",
                     f"How long do the gateway's calls to each service take, at the {int(q * 100)}th percentile? "
                     "gateway_upstream_request_duration_seconds; the dashed line is the 500 ms SLO.",
                     [target(quantile(q, upstream_bucket(svc), "service"), "{{service}}")], unit="s", w=8, th=SLO_LATENCY,
                     links=service_link())
          for q in (0.5, 0.95, 0.99)],
        row("The gateway itself"),
        timeseries("Gateway: requests per second, by status class", "How many requests does the gateway answer, and "
                   "how? http_server_request_duration_seconds of the gateway, /health and /metrics excluded.",
                   [target(f'sum by (status) (label_replace(rate({gw_count}[{RI}]), "status", "${{1}}xx", "status", "([0-9]).."))',
                           "{{status}}")], unit="reqps", w=8, stack=True),
        timeseries("Gateway: 5xx ratio", "Does the gateway itself fail requests? Its SLI: share of its own "
                   "responses that are 5xx (every route, the proxied ones included). Dashed: 0.1 %.",
                   [target(f"sum(rate({gw_5xx}[{RI}])) / sum(rate({gw_count}[{RI}]))", "5xx ratio")],
                   unit="percentunit", w=8, th=SLO_ERRORS),
        timeseries("Gateway: latency p50 / p95 / p99", "How long do the gateway's answers take? Dashed: the 500 ms SLO.",
                   targets(*[(f"histogram_quantile({q}, sum by (le) (rate({gw_bucket}[{RI}])))", f"p{int(q * 100)}")
                             for q in (0.5, 0.95, 0.99)]), unit="s", w=8, th=SLO_LATENCY),
        row("The checkout saga"),
        timeseries("Orders placed, confirmed, cancelled", "Is the checkout saga completing? Orders placed, confirmed "
                   "and cancelled (by reason) per second. Confirmed should follow placed within seconds.",
                   targets(("sum(rate(orders_placed_total{%s}[%s]))" % (NS, RI), "placed"),
                           ("sum(rate(orders_confirmed_total{%s}[%s]))" % (NS, RI), "confirmed"),
                           ("sum by (reason) (rate(orders_cancelled_total{%s}[%s]))" % (NS, RI), "cancelled: {{reason}}")),
                   unit="cps", w=8),
        stat("Orders confirmed / placed (1 h)", "What share of the orders placed in the last hour were confirmed? "
             "Below 1 for a while: the saga is stuck or cancelling.",
             [target("sum(increase(orders_confirmed_total{%s}[1h])) / sum(increase(orders_placed_total{%s}[1h]))" % (NS, NS))],
             unit="percentunit", w=4, h=8, th=thresholds((0.9, "orange"), (0.98, "green"), base="red"), decimals=1),
        timeseries("Saga lag p95, by event type", "How long after an event occurred is it handled by its consumers? p95 "
                   "of events_delivery_lag_seconds: the time between the saga's steps.",
                   [target(quantile(0.95, f"events_delivery_lag_seconds_bucket{{{NS}}}", "type"), "{{type}}")], unit="s", w=6),
        timeseries("Outbox: age of the oldest unpublished event", "Is any service's outbox stuck? outbox_lag_seconds, the "
                   "age of its oldest unpublished row.",
                   [target(f"max by (service) (outbox_lag_seconds{{{NS}}})", "{{service}}")], unit="s", w=6,
                   th=thresholds((60, "orange"), (300, "red"))),
        row("Errors"),
        timeseries("Upstream errors, by service and kind", "Why do the gateway's calls fail? gateway_upstream_errors_total "
                   "by kind: connect (nothing listens), timeout, circuit_open (the breaker refuses), body (cut off).",
                   [target(f"sum by (service, kind) (rate(gateway_upstream_errors_total{{{NS}}}[{RI}]))", "{{service}} {{kind}}")],
                   unit="cps", w=8),
        timeseries("5xx by route (top 10)", "Which routes fail? The ten routes answering the most 5xx, in any component "
                   "(http_server_request_duration_seconds).",
                   [target(f'topk(10, sum by (service, route) (rate(http_server_request_duration_seconds_count{{{NS}, status=~"5.."}}[{RI}])))',
                           "{{service}} {{route}}")], unit="reqps", w=8),
        timeseries("Rate-limited requests, by scope", "Is the gateway refusing clients (429)? gateway_rate_limited_total "
                   "by scope (ip, user).",
                   [target(f"sum by (scope) (rate(gateway_rate_limited_total{{{NS}}}[{RI}]))", "{{scope}}")], unit="reqps", w=8),
        row("Alerts and the platform"),
        table("Firing alerts", "What is alerting now? Prometheus's ALERTS series in state firing, with their severity "
              "(page or ticket) and service.",
              [target('ALERTS{alertstate="firing", %s}' % NS, "", instant=True, fmt="table")], w=12, h=8,
              organize={"excludeByName": {"Time": True, "Value": True, "__name__": True, "alertstate": True}}),
        timeseries("Alerts firing, by name and severity", "What has been alerting, and since when? count of "
                   "ALERTS{alertstate=\"firing\"} by alert name and severity.",
                   [target('count by (alertname, severity) (ALERTS{alertstate="firing", %s})' % NS, "{{alertname}} ({{severity}})")],
                   w=12, h=8, stack=True, bars=False),
        table("Running versions", "Which release does each component run, on how many instances? comptoir_build_info "
              "by version and revision; two versions at once means a rollout is in progress (or stuck).",
              [target(f"count by (service, version, revision) (comptoir_build_info{{{NS}}})", "", instant=True, fmt="table")],
              w=8, h=8, organize={"excludeByName": {"Time": True}, "renameByName": {"Value": "instances"}}),
        timeseries("Container restarts (1 h)", "Which pods restart? kube_pod_container_status_restarts_total from "
                   "kube-state-metrics, restarts over the last hour (Kubernetes only).",
                   [target(f"sum by (pod) (increase(kube_pod_container_status_restarts_total{{{NS}}}[1h])) > 0", "{{pod}}")],
                   w=8, th=ANY_IS_BAD),
        bargauge("Certificates: days until expiry", "When does each TLS certificate expire? "
                 "certmanager_certificate_expiration_timestamp_seconds from cert-manager (renewed 30 days before).",
                 [target(f"(certmanager_certificate_expiration_timestamp_seconds{{{NS}}} - time()) / 86400", "{{name}}")],
                 unit="d", w=8, th=thresholds((14, "orange"), (30, "green"), base="red"), decimals=0),
    ]
    return dashboard(
        "comptoir-overview", "Comptoir / Overview",
        "The platform at a glance: the SLOs' burn and budget, RED per service from the gateway's view (the SLI), "
        "the gateway itself, the checkout saga, errors and firing alerts.",
        [variable_query("service", "Service", "label_values(gateway_upstream_request_duration_seconds_count, service)")],
        panels, tags=("overview",))


# --- one dashboard per component -----------------------------------------------------------------


def component(cid, uses_of):
    is_gateway = cid == "gateway"
    base = f'service="{cid}", {NS}, instance=~"$instance"'
    sel = f"{{{base}}}"
    http = f"{{{base}, {NOT_PROBES}}}"
    http_count = f"http_server_request_duration_seconds_count{http}"
    http_5xx = f'http_server_request_duration_seconds_count{{{base}, {NOT_PROBES}, status=~"5.."}}'
    http_bucket = f"http_server_request_duration_seconds_bucket{http}"
    panels = [row("Release and service level")]
    panels.append(stat("Build", "Which release runs, on how many instances? comptoir_build_info by version and "
                       "revision (several lines: a rollout is in progress).",
                       [target(f"count by (version, revision) (comptoir_build_info{sel})", "{{version}} ({{revision}})")],
                       w=6, h=4, text_mode="value_and_name", graph=False))
    panels.append(stat("Instances up", "How many instances expose metrics? count of comptoir_build_info.",
                       [target(f"count(comptoir_build_info{sel})", "instances")], w=3, h=4, th=thresholds((1, "green"), base="red"),
                       graph=False))
    panels.append(stat("Youngest instance's uptime", "When did the last instance start? A small value that keeps "
                       "resetting: the pods are restarting.",
                       [target(f"time() - max(process_start_time_seconds{sel})", "uptime")], unit="s", w=3, h=4,
                       th=thresholds((300, "green"), base="orange"), graph=False))
    svc_only = f'service="{cid}"'
    budget = budget_panels(svc_only, by=False, w=3)
    for p in budget:
        p["gridPos"]["h"] = 4
    panels += budget
    panels += burn_history(svc_only, "")
    if not is_gateway:
        up_all = upstream(svc_only)
        up_5xx = upstream(svc_only, ', status=~"5.."')
        panels += [
            row("As the gateway sees it (the SLI: still counts when the service is down)"),
            timeseries("Requests through the gateway, by status", "How many requests reach this service through the "
                       "gateway, and with which status? gateway_upstream_request_duration_seconds_count; 502/503/504 "
                       "are the gateway's own answers when the service is unreachable, slow or its circuit is open.",
                       [target(f"sum by (status) (rate({up_all}[{RI}]))", "{{status}}")], unit="reqps", w=8, stack=True),
            timeseries("5xx ratio (gateway's view)", "Does the service meet its availability SLO? Share of the gateway's "
                       "answers for it that are 5xx; dashed: 0.1 %.",
                       [target(ratio(up_5xx, up_all, "service"), "5xx ratio")], unit="percentunit", w=8, th=SLO_ERRORS),
            timeseries("Latency p50 / p95 / p99 (gateway's view)", "How long do the gateway's calls to this service "
                       "take? Dashed: the 500 ms SLO (95 % of requests faster).",
                       targets(*[(quantile(q, upstream_bucket(svc_only), "service"), f"p{int(q * 100)}") for q in (0.5, 0.95, 0.99)]),
                       unit="s", w=8, th=SLO_LATENCY),
            timeseries("Upstream errors, by kind", "Why do the gateway's calls to this service fail? "
                       "gateway_upstream_errors_total by kind (connect, timeout, circuit_open, body).",
                       [target(f'sum by (kind) (rate(gateway_upstream_errors_total{{{svc_only}, {NS}}}[{RI}]))', "{{kind}}")],
                       unit="cps", w=24, h=6),
        ]
    panels += [
        row("RED by route, from the component's own requests (/health and /metrics excluded)"),
        timeseries("Requests per second, by route", "Which routes are busy? http_server_request_duration_seconds_count "
                   "by route template (unmatched: 404 on an unknown path).",
                   [target(f"sum by (route) (rate({http_count}[{RI}]))", "{{route}}")], unit="reqps", w=8),
        timeseries("Responses, by status", "How does the component answer? Requests per second by status code.",
                   [target(f"sum by (status) (rate({http_count}[{RI}]))", "{{status}}")], unit="reqps", w=8, stack=True),
        timeseries("5xx ratio, by route", "Which routes fail? Share of 5xx per route; dashed: the 0.1 % SLO.",
                   [target(ratio(http_5xx, http_count, "route"), "{{route}}")], unit="percentunit", w=8, th=SLO_ERRORS),
        timeseries("Latency p95, by route", "Which routes are slow? p95 per route; dashed: 500 ms.",
                   [target(quantile(0.95, http_bucket, "route"), "{{route}}")], unit="s", w=8, th=SLO_LATENCY),
        timeseries("Latency p99, by route", "Which routes have a slow tail? p99 per route; dashed: 500 ms.",
                   [target(quantile(0.99, http_bucket, "route"), "{{route}}")], unit="s", w=8, th=SLO_LATENCY),
        timeseries("Latency p50 / p95 / p99, all routes", "How long do this component's answers take overall?",
                   targets(*[(f"histogram_quantile({q}, sum by (le) (rate({http_bucket}[{RI}])))", f"p{int(q * 100)}")
                             for q in (0.5, 0.95, 0.99)]), unit="s", w=8, th=SLO_LATENCY),
        row("Saturation"),
        timeseries("Requests in flight", "How many requests is each instance serving at once? http_server_active_requests.",
                   [target(f"http_server_active_requests{sel}", "{{instance}}")], w=6 if not is_gateway else 12),
        timeseries("Event-loop lag", "Are the event loops keeping up? eventloop_lag_seconds: how late a task scheduled "
                   "on them ran (sampled every second). Above a few ms: CPU-bound or blocked loops.",
                   [target(f"eventloop_lag_seconds{sel}", "{{instance}}")], unit="s", w=6 if not is_gateway else 12,
                   th=thresholds((0.05, "orange"), (0.25, "red"))),
    ]
    if not is_gateway:
        panels += [
            timeseries("Database pool wait p95", "Are requests queueing for a database connection? p95 of "
                       "db_pool_wait_seconds (asking for a transaction to holding its connection). Rising: the pool is "
                       "too small or transactions too long.",
                       [target(quantile(0.95, f"db_pool_wait_seconds_bucket{sel}", "instance"), "{{instance}}")], unit="s", w=6,
                       th=thresholds((0.1, "orange"), (0.5, "red"))),
            timeseries("Database transaction p95", "How long do database transactions take? p95 of "
                       "db_transaction_duration_seconds per instance; dashed: 500 ms, the whole request's budget.",
                       [target(quantile(0.95, f"db_transaction_duration_seconds_bucket{sel}", "instance"), "{{instance}}")],
                       unit="s", w=6, th=SLO_LATENCY),
        ]
    panels.append(row("Process"))
    panels += process_panels(sel)
    if not is_gateway:
        panels += [
            row("Cache"),
            timeseries("Cache hit ratio", "How often does the Redis cache answer? cache_lookups_total hits over all "
                       "lookups (errors count as misses: Redis is away and the database answers).",
                       [target(f'sum(rate(cache_lookups_total{{{base}, result="hit"}}[{RI}])) / sum(rate(cache_lookups_total{sel}[{RI}]))',
                               "hit ratio")], unit="percentunit", w=12, max_=1),
            timeseries("Cache lookups, by result", "How many lookups hit, miss or fail? cache_lookups_total by result.",
                       [target(f"sum by (result) (rate(cache_lookups_total{sel}[{RI}]))", "{{result}}")], unit="ops", w=12),
        ]
    if "amqp" in uses_of[cid]:
        panels.append(row("Events (outbox, relay, consumers)"))
        panels += messaging_panels(sel)
        panels[-1]["gridPos"]["w"] = 24
    panels += business(cid, base, sel, uses_of)
    return dashboard(
        f"comptoir-service-{cid}", f"Comptoir / Service / {cid}",
        f"The {cid} component: "
        + ("its upstream calls and rate limits, " if is_gateway else "its SLI as the gateway sees it, ")
        + "RED by route, saturation, process"
        + ("" if is_gateway else ", cache")
        + (", events" if "amqp" in uses_of[cid] else "")
        + " and what its business counters say.",
        [variable_query("instance", "Instance", f'label_values(comptoir_build_info{{service="{cid}", {NS}}}, instance)')],
        panels, tags=("service", cid))


def business(cid, base, sel, uses_of):
    """The panels of one component's own counters (spec: Business / security, Gateway only)."""
    if cid == "gateway":
        ns = f"{{{NS}}}"
        return [
            row("Upstreams and rate limits"),
            timeseries("Upstream requests, by service", "Which services does the gateway call, how often? "
                       "gateway_upstream_request_duration_seconds_count by service.",
                       [target(f"sum by (service) (rate(gateway_upstream_request_duration_seconds_count{ns}[{RI}]))", "{{service}}")],
                       unit="reqps", w=8, links=service_link()),
            timeseries("Upstream 5xx ratio, by service", "Which upstreams fail? Share of the gateway's answers per "
                       "service that are 5xx; dashed: 0.1 %.",
                       [target(ratio(upstream('service!=""', ', status=~"5.."'), upstream('service!=""'), "service"), "{{service}}")],
                       unit="percentunit", w=8, th=SLO_ERRORS, links=service_link()),
            timeseries("Upstream latency p95, by service", "Which upstreams are slow? p95 of the gateway's calls; dashed: 500 ms.",
                       [target(quantile(0.95, upstream_bucket('service!=""'), "service"), "{{service}}")], unit="s", w=8,
                       th=SLO_LATENCY, links=service_link()),
            timeseries("Upstream errors, by service and kind", "Why do upstream calls fail? connect, timeout, "
                       "circuit_open (the breaker is open: the service failed repeatedly), body.",
                       [target(f"sum by (service, kind) (rate(gateway_upstream_errors_total{ns}[{RI}]))", "{{service}} {{kind}}")],
                       unit="cps", w=12),
            timeseries("Rate-limited requests, by scope", "Whom does the gateway refuse with 429? "
                       "gateway_rate_limited_total by scope: ip (anonymous clients) or user.",
                       [target(f"sum by (scope) (rate(gateway_rate_limited_total{ns}[{RI}]))", "{{scope}}")], unit="reqps", w=12),
        ]
    out = []
    if cid == "orders":
        out = [
            row("Orders (the checkout saga)"),
            timeseries("Orders placed, confirmed, cancelled", "Is the saga completing? orders_placed_total, "
                       "orders_confirmed_total and orders_cancelled_total by reason, per second.",
                       targets((f"sum(rate(orders_placed_total{sel}[{RI}]))", "placed"),
                               (f"sum(rate(orders_confirmed_total{sel}[{RI}]))", "confirmed"),
                               (f"sum by (reason) (rate(orders_cancelled_total{sel}[{RI}]))", "cancelled: {{reason}}")),
                       unit="cps", w=12),
            stat("Confirmed / placed (1 h)", "What share of the last hour's orders was confirmed?",
                 [target(f"sum(increase(orders_confirmed_total{sel}[1h])) / sum(increase(orders_placed_total{sel}[1h]))")],
                 unit="percentunit", w=4, h=8, th=thresholds((0.9, "orange"), (0.98, "green"), base="red"), decimals=1),
            bargauge("Cancellations by reason (24 h)", "Why are orders cancelled? orders_cancelled_total over a day, by reason.",
                     [target(f"sum by (reason) (increase(orders_cancelled_total{sel}[24h]))", "{{reason}}")], w=8, decimals=0),
        ]
    elif cid == "auth":
        out = [
            row("Logins and lockouts"),
            timeseries("Logins, by result", "Are people logging in, failing, or locked out? auth_logins_total by result "
                       "(success, failure, locked).",
                       [target(f"sum by (result) (rate(auth_logins_total{sel}[{RI}]))", "{{result}}")], unit="cps", w=12, stack=True),
            timeseries("Login failure ratio", "Is someone guessing passwords? Share of logins that fail or meet a "
                       "locked account.",
                       [target(f'sum(rate(auth_logins_total{{{base}, result!="success"}}[{RI}])) / sum(rate(auth_logins_total{sel}[{RI}]))',
                               "failed or locked")], unit="percentunit", w=6, th=thresholds((0.2, "orange"), (0.5, "red"))),
            stat("Accounts locked (1 h)", "How many accounts were locked in the last hour? auth_lockouts_total; a burst "
                 "is an attack on many accounts.",
                 [target(f"sum(increase(auth_lockouts_total{sel}[1h]))")], w=6, h=8, th=thresholds((1, "orange"), (10, "red")),
                 decimals=0),
        ]
    elif cid == "newsletters":
        out = [
            row("Mail"),
            timeseries("Mails sent and failed, by kind", "Does mail go out? mails_sent_total and mails_failed_total by "
                       "kind (the event that caused it, or campaign).",
                       targets((f"sum by (kind) (rate(mails_sent_total{sel}[{RI}]))", "sent {{kind}}"),
                               (f"sum by (kind) (rate(mails_failed_total{sel}[{RI}]))", "failed {{kind}}")), unit="cps", w=12),
            timeseries("Mail failure ratio", "Is the SMTP relay refusing mail? Share of sends that failed.",
                       [target(f"sum(rate(mails_failed_total{sel}[{RI}])) / (sum(rate(mails_sent_total{sel}[{RI}])) + "
                               f"sum(rate(mails_failed_total{sel}[{RI}])))", "failed")],
                       unit="percentunit", w=6, th=thresholds((0.01, "orange"), (0.1, "red"))),
            stat("Subscriptions confirmed (24 h)", "How many double opt-ins were confirmed in a day? "
                 "newsletter_confirmations_total.",
                 [target(f"sum(increase(newsletter_confirmations_total{sel}[24h]))")], w=6, h=8, decimals=0),
        ]
    elif cid == "contacts":
        out = [
            row("Contact messages"),
            timeseries("Messages received, by topic", "How many contact messages arrive? contacts_received_total by topic.",
                       [target(f"sum by (topic) (rate(contacts_received_total{sel}[{RI}]))", "{{topic}}")], unit="cps", w=12, stack=True),
            timeseries("Spam and rate-limited", "How much is refused? contacts_spam_total (caught as spam) and "
                       "contacts_rate_limited_total (too many from one sender).",
                       targets((f"sum(rate(contacts_spam_total{sel}[{RI}]))", "spam"),
                               (f"sum(rate(contacts_rate_limited_total{sel}[{RI}]))", "rate-limited")), unit="cps", w=12),
        ]
    if "s3" in uses_of[cid]:
        out += [
            row("Object store"),
            stat("Orphaned blobs (24 h)", "How many stored objects lost their record (a delete that reached the database "
                 "but not the object store)? blob_orphans_total; they wait for an operator to remove them.",
                 [target(f"sum(increase(blob_orphans_total{sel}[24h]))")], w=6, h=4, th=thresholds((1, "orange")), decimals=0),
        ]
    return out


# --- messaging ----------------------------------------------------------------------------------


def messaging():
    sel = f'{{service=~"$service", {NS}}}'
    rq = f'{NS}, vhost=~"$vhost"'
    dlq = f'{{{rq}, queue=~".*[.]dlq"}}'
    work = f'{{{rq}, queue!~".*[.]dlq"}}'
    panels = [
        row("Outbox (per service)"),
        *messaging_panels(sel, by="service")[:3],
        row("Relay and consumers"),
        *messaging_panels(sel, by="service")[3:6],
        timeseries("Published, by event type", "Which events flow, how often? events_published_total by type (the "
                   "routing key, such as orders.order.placed).",
                   [target(f"sum by (type) (rate(events_published_total{sel}[{RI}]))", "{{type}}")], unit="cps", w=12),
        timeseries("Consumed, by service and event type", "Who handles which events? events_consumed_total by "
                   "consuming service and type.",
                   [target(f"sum by (service, type) (rate(events_consumed_total{sel}[{RI}]))", "{{service}} {{type}}")],
                   unit="cps", w=12),
        row("Delivery lag (occurred_at to handling)"),
        heatmap("Delivery lag distribution", "How is the lag spread? events_delivery_lag_seconds buckets over time, all "
                "selected consumers.", f"sum by (le) (rate(events_delivery_lag_seconds_bucket{sel}[{RI}]))", w=12),
        timeseries("Delivery lag p50 / p95 / p99", "How long does an event wait before it is handled?",
                   targets(*[(f"histogram_quantile({q}, sum by (le) (rate(events_delivery_lag_seconds_bucket{sel}[{RI}])))",
                              f"p{int(q * 100)}") for q in (0.5, 0.95, 0.99)]), unit="s", w=12),
        timeseries("Delivery lag p95, by event type", "Which steps of the saga are slow?",
                   [target(quantile(0.95, f"events_delivery_lag_seconds_bucket{sel}", "type"), "{{type}}")], unit="s", w=12),
        timeseries("Delivery lag p95, by consuming service", "Which consumer is behind?",
                   [target(quantile(0.95, f"events_delivery_lag_seconds_bucket{sel}", "service"), "{{service}}")], unit="s", w=12),
        row("RabbitMQ queues (rabbitmq_prometheus, per-object metrics)"),
        timeseries("Messages ready, by queue", "Are consumers keeping up? rabbitmq_queue_messages_ready per service "
                   "queue (<service>.events): growing means the consumers are slower than the producers, or gone.",
                   [target(f"sum by (queue) (rabbitmq_queue_messages_ready{work})", "{{queue}}")], w=8),
        timeseries("Messages unacknowledged, by queue", "How many deliveries are being handled right now? "
                   "rabbitmq_queue_messages_unacked.",
                   [target(f"sum by (queue) (rabbitmq_queue_messages_unacked{work})", "{{queue}}")], w=8),
        timeseries("Consumers, by queue", "Does every queue have consumers? rabbitmq_queue_consumers; 0 on a service "
                   "queue means its service is not consuming (down, or unready).",
                   [target(f"sum by (queue) (rabbitmq_queue_consumers{work})", "{{queue}}")], w=8),
        bargauge("Dead-letter queues: depth", "Which service has given up on events? rabbitmq_queue_messages of each "
                 "<service>.events.dlq: every message there is an event that failed 20 deliveries or could not be "
                 "decoded, to be looked at and replayed.",
                 [target(f"sum by (queue) (rabbitmq_queue_messages{dlq})", "{{queue}}")], w=8, th=ANY_IS_BAD, decimals=0),
        timeseries("Broker: received, routed, delivered", "What goes through the broker? rabbitmq_global_messages_*: "
                   "received from publishers, confirmed to them, delivered to consumers, unroutable (dropped: no queue "
                   "bound, an event nobody subscribes to).",
                   targets((f"sum(rate(rabbitmq_global_messages_received_total{{{NS}}}[{RI}]))", "received"),
                           (f"sum(rate(rabbitmq_global_messages_confirmed_total{{{NS}}}[{RI}]))", "confirmed"),
                           (f"sum(rate(rabbitmq_global_messages_delivered_total{{{NS}}}[{RI}]))", "delivered"),
                           (f"sum(rate(rabbitmq_global_messages_redelivered_total{{{NS}}}[{RI}]))", "redelivered"),
                           (f"sum(rate(rabbitmq_global_messages_unroutable_dropped_total{{{NS}}}[{RI}]))", "unroutable, dropped")),
                   unit="cps", w=16),
    ]
    return dashboard(
        "comptoir-messaging", "Comptoir / Messaging",
        "Events between the services: each outbox, the relay's publishes and confirms, the consumers (duplicates, "
        "failures, redeliveries, dead letters), the delivery lag, and RabbitMQ's queues and dead-letter queues.",
        [variable_query("service", "Service", f"label_values(outbox_pending{{{NS}}}, service)"),
         variable_query("vhost", "RabbitMQ vhost", f"label_values(rabbitmq_queue_messages{{{NS}}}, vhost)")],
        panels, tags=("messaging",))


# --- data tier ----------------------------------------------------------------------------------


def data_tier():
    pg = f'{{{NS}, instance=~"$postgres"}}'
    pgdb = f'{{{NS}, instance=~"$postgres", datname!~"template.*"}}'
    rd = f'{{{NS}, instance=~"$redis"}}'
    rq = f'{{{NS}, instance=~"$rabbitmq"}}'
    panels = [
        row("PostgreSQL (postgres_exporter, one per server)"),
        stat("Servers up", "Does each PostgreSQL server answer its exporter? pg_up per instance.",
             [target(f"pg_up{pg}", "{{instance}}")], w=6, h=6, mappings=UP_DOWN, th=thresholds((1, "green"), base="red"),
             graph=False, text_mode="value_and_name"),
        timeseries("Connections, by state", "How are the connections spent? pg_stat_activity_count by instance and "
                   "state (active, idle, idle in transaction: a transaction left open holds locks).",
                   [target(f"sum by (instance, state) (pg_stat_activity_count{pg})", "{{instance}} {{state}}")], w=9, h=6),
        timeseries("Connections, share of max_connections", "Is a server running out of connections? All connections "
                   "over pg_settings_max_connections.",
                   [target(f"sum by (instance) (pg_stat_activity_count{pg}) / max by (instance) (pg_settings_max_connections{pg})",
                           "{{instance}}")], unit="percentunit", w=9, h=6, th=thresholds((0.8, "red")), max_=1),
        timeseries("Transactions per second", "How busy is each server? Commits and rollbacks per second "
                   "(pg_stat_database_xact_commit, _xact_rollback), template databases excluded.",
                   targets((f"sum by (instance) (rate(pg_stat_database_xact_commit{pgdb}[{RI}]))", "{{instance}} commit"),
                           (f"sum by (instance) (rate(pg_stat_database_xact_rollback{pgdb}[{RI}]))", "{{instance}} rollback")),
                   unit="ops", w=8),
        timeseries("Deadlocks (1 h)", "Do transactions deadlock? pg_stat_database_deadlocks over the last hour.",
                   [target(f"sum by (instance, datname) (increase(pg_stat_database_deadlocks{pgdb}[1h]))", "{{instance}} {{datname}}")],
                   w=8, th=ANY_IS_BAD),
        timeseries("Buffer cache hit ratio", "Does the working set fit in shared buffers? blocks found in the cache "
                   "over blocks needed (pg_stat_database_blks_hit, _blks_read).",
                   [target(f"sum by (instance) (rate(pg_stat_database_blks_hit{pgdb}[{RI}])) / (sum by (instance) "
                           f"(rate(pg_stat_database_blks_hit{pgdb}[{RI}])) + sum by (instance) (rate(pg_stat_database_blks_read{pgdb}[{RI}])))",
                           "{{instance}}")], unit="percentunit", w=8, th=thresholds((0.9, "green"), base="orange"), max_=1),
        timeseries("Database size", "How large is each database, how fast does it grow? pg_database_size_bytes "
                   "(the volumes are 10Gi, prod 50Gi).",
                   [target(f"max by (instance, datname) (pg_database_size_bytes{pgdb})", "{{instance}} {{datname}}")],
                   unit="bytes", w=12),
        timeseries("Longest open transaction", "Is a transaction held open for long (it blocks vacuum and may hold "
                   "locks)? pg_stat_activity_max_tx_duration by state.",
                   [target(f"max by (instance, state) (pg_stat_activity_max_tx_duration{pg})", "{{instance}} {{state}}")],
                   unit="s", w=12, th=thresholds((60, "orange"), (300, "red"))),
        row("Redis (redis_exporter)"),
        stat("Redis up", "Does Redis answer its exporter? redis_up.", [target(f"redis_up{rd}", "{{instance}}")], w=4, h=6,
             mappings=UP_DOWN, th=thresholds((1, "green"), base="red"), graph=False, text_mode="value_and_name"),
        timeseries("Memory used vs maxmemory", "How full is Redis? redis_memory_used_bytes against "
                   "redis_memory_max_bytes (maxmemory; beyond it, keys with the nearest expiry are evicted).",
                   targets((f"redis_memory_used_bytes{rd}", "{{instance}} used"), (f"redis_memory_max_bytes{rd}", "{{instance}} maxmemory")),
                   unit="bytes", w=10, h=6),
        timeseries("Clients", "How many connections does Redis hold? redis_connected_clients and redis_blocked_clients.",
                   targets((f"redis_connected_clients{rd}", "{{instance}} connected"), (f"redis_blocked_clients{rd}", "{{instance}} blocked")),
                   w=10, h=6),
        timeseries("Commands per second", "How busy is Redis? rate of redis_commands_processed_total.",
                   [target(f"rate(redis_commands_processed_total{rd}[{RI}])", "{{instance}}")], unit="ops", w=8),
        timeseries("Keyspace hit ratio", "How often do reads find their key? redis_keyspace_hits_total over hits and "
                   "misses (the platform's own view per service is cache_lookups_total).",
                   [target(f"rate(redis_keyspace_hits_total{rd}[{RI}]) / (rate(redis_keyspace_hits_total{rd}[{RI}]) + "
                           f"rate(redis_keyspace_misses_total{rd}[{RI}]))", "{{instance}}")], unit="percentunit", w=8, max_=1),
        timeseries("Evictions and expirations", "Is Redis evicting keys for memory (maxmemory reached)? "
                   "redis_evicted_keys_total, next to keys expiring normally (redis_expired_keys_total).",
                   targets((f"rate(redis_evicted_keys_total{rd}[{RI}])", "{{instance}} evicted"),
                           (f"rate(redis_expired_keys_total{rd}[{RI}])", "{{instance}} expired")), unit="ops", w=8,
                   th=thresholds((1, "orange"))),
        row("RabbitMQ (rabbitmq_prometheus)"),
        stat("Nodes up", "How many RabbitMQ nodes expose metrics? count of rabbitmq_identity_info (3 in staging and prod, "
             "1 in dev; quorum queues need 2 of 3).",
             [target(f"count(rabbitmq_identity_info{rq})", "nodes")], w=4, h=6, th=thresholds((2, "orange"), (3, "green"), base="red"),
             graph=False),
        stat("Alarms", "Is a node blocking publishers? The memory (vm_memory_high_watermark), disk (disk_free_limit) and "
             "file descriptor alarms, per node: ALARM blocks every publishing connection.",
             targets((f"max by (instance) (rabbitmq_alarms_memory_used_watermark{rq})", "{{instance}} memory"),
                     (f"max by (instance) (rabbitmq_alarms_free_disk_space_watermark{rq})", "{{instance}} disk"),
                     (f"max by (instance) (rabbitmq_alarms_file_descriptor_limit{rq})", "{{instance}} fds")),
             w=8, h=6, mappings=ALARM, th=ANY_IS_BAD, graph=False, text_mode="value_and_name"),
        timeseries("Memory used vs the watermark's limit", "How close is each node to the memory alarm? "
                   "rabbitmq_process_resident_memory_bytes against rabbitmq_resident_memory_limit_bytes.",
                   targets((f"rabbitmq_process_resident_memory_bytes{rq}", "{{instance}} used"),
                           (f"rabbitmq_resident_memory_limit_bytes{rq}", "{{instance}} limit")), unit="bytes", w=6, h=6),
        timeseries("Disk free vs the limit", "How close is each node to the disk alarm? rabbitmq_disk_space_available_bytes "
                   "against rabbitmq_disk_space_available_limit_bytes.",
                   targets((f"rabbitmq_disk_space_available_bytes{rq}", "{{instance}} free"),
                           (f"rabbitmq_disk_space_available_limit_bytes{rq}", "{{instance}} limit")), unit="bytes", w=6, h=6),
        timeseries("Connections and channels", "How many clients are connected? rabbitmq_connections and "
                   "rabbitmq_channels per node (each service replica holds one connection).",
                   targets((f"sum by (instance) (rabbitmq_connections{rq})", "{{instance}} connections"),
                           (f"sum by (instance) (rabbitmq_channels{rq})", "{{instance}} channels")), w=8),
        timeseries("Consumers and queues", "How many consumers and queues does each node host?",
                   targets((f"sum by (instance) (rabbitmq_consumers{rq})", "{{instance}} consumers"),
                           (f"sum by (instance) (rabbitmq_queues{rq})", "{{instance}} queues")), w=8),
        timeseries("Messages in queues", "How many messages wait in all queues, ready or being handled? "
                   "rabbitmq_queue_messages_ready and rabbitmq_queue_messages_unacked summed (per queue: the "
                   "Messaging dashboard).",
                   targets((f"sum(rabbitmq_queue_messages_ready{rq})", "ready"), (f"sum(rabbitmq_queue_messages_unacked{rq})", "unacked")),
                   w=8, stack=True),
    ]
    return dashboard(
        "comptoir-data-tier", "Comptoir / Data tier",
        "The servers behind the platform, per instance: PostgreSQL (postgres_exporter sidecars), Redis "
        "(redis_exporter sidecar) and RabbitMQ (its rabbitmq_prometheus plugin). With the managed data tier, the "
        "provider's own monitoring replaces this dashboard.",
        [variable_query("postgres", "PostgreSQL", f"label_values(pg_up{{{NS}}}, instance)"),
         variable_query("redis", "Redis", f"label_values(redis_up{{{NS}}}, instance)"),
         variable_query("rabbitmq", "RabbitMQ", f"label_values(rabbitmq_identity_info{{{NS}}}, instance)")],
        panels, tags=("data-tier",))


# ---------------------------------------------------------------------------------------------


def all_dashboards():
    uses_of = uses()
    out = {"comptoir-overview.json": overview()}
    for cid in COMPONENTS:
        out[f"comptoir-service-{cid}.json"] = component(cid, uses_of)
    out["comptoir-messaging.json"] = messaging()
    out["comptoir-data-tier.json"] = data_tier()
    return out


def render(d):
    return json.dumps(d, indent=1, ensure_ascii=False) + "\n"


def kustomization(names):
    """One ConfigMap per dashboard, labelled for the Grafana sidecar."""
    lines = [
        "# Generated by generate.py: do not edit (scripts/check-dashboards fails when it is not what",
        "# generate.py writes). One ConfigMap per dashboard, labelled grafana_dashboard: \"1\" for the",
        "# Grafana sidecar (kube-prometheus-stack: grafana.sidecar.dashboards, label grafana_dashboard, and",
        "# searchNamespace covering the environments' namespaces). No name suffix hash: nothing refers to",
        "# these ConfigMaps by name, and a new name per change would leave the previous copy, with the",
        "# same dashboard uid, beside the new one wherever nothing prunes (prod syncs by hand). The",
        "# grafana_folder annotation names the folder where the sidecar's folderAnnotation is set to it.",
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        "generatorOptions:",
        "  disableNameSuffixHash: true",
        "  labels:",
        '    grafana_dashboard: "1"',
        "  annotations:",
        "    grafana_folder: Comptoir",
        "configMapGenerator:",
    ]
    for name in names:
        lines += [f"  - name: grafana-dashboard-{name[:-len('.json')]}", "    files:", f"      - {name}"]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=HERE, help="where to write the JSON files (default: next to this script)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    dashboards = all_dashboards()
    for name, d in dashboards.items():
        with open(os.path.join(args.out, name), "w") as f:
            f.write(render(d))
    with open(os.path.join(args.out, "kustomization.yaml"), "w") as f:
        f.write(kustomization(list(dashboards)))
    print(f"generate.py: {len(dashboards)} dashboards and their kustomization.yaml written to {args.out}")


if __name__ == "__main__":
    main()
