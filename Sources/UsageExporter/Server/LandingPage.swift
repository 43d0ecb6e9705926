/// The HTML page at `/`: version, a link to the metrics, and each source's poll status (and until when an
/// upstream's `Retry-After` holds it back). No secrets:
/// it shows only source names, times and error messages, which never carry credentials.
public enum LandingPage {
    public static func render(telemetryPath: String, statuses: [(source: SourceID, status: CollectorStatus)], now: Double) -> String {
        var rows = ""
        for (source, status) in statuses {
            let state: String
            switch status.lastPollSucceeded {
            case nil: state = "waiting for first poll"
            case true?: state = "ok"
            case false?: state = "failing"
            }
            rows += """
                <tr><td>\(escape(source.collector.rawValue))</td><td>\(escape(source.source))</td><td>\(state)</td>\
                <td>\(time(status.lastSuccessTime, now: now))</td>\
                <td>\(escape(status.lastError ?? "")) \(status.lastErrorTime.map { "(\(time($0, now: now)))" } ?? "")</td>\
                <td>\(time(status.nextPollTime, now: now))</td>\
                <td>\(heldBack(status.heldBackUntil, now: now))</td></tr>

                """
        }
        if statuses.isEmpty {
            rows = "<tr><td colspan=\"7\">No sources are configured.</td></tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>usage-exporter</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>
            </head>
            <body>
            <h1>usage-exporter</h1>
            <p>Prometheus exporter for Windsurf and Google Workspace usage. Version \(escape(ExporterVersion.version)) (revision \(escape(ExporterVersion.revision))).</p>
            <p><a href="\(escape(telemetryPath))">Metrics</a> · <a href="/-/healthy">Health</a> · <a href="/-/ready">Readiness</a></p>
            <h2>Sources</h2>
            <table>
            <tr><th>Collector</th><th>Source</th><th>State</th><th>Last success</th><th>Last error</th><th>Next poll</th><th>Held back until</th></tr>
            \(rows)</table>
            </body>
            </html>

            """
    }

    /// Until when an upstream's `Retry-After` (or a query budget) holds the source back, while it does.
    static func heldBack(_ until: Double?, now: Double) -> String {
        guard let until, until > now else { return "no" }
        return time(until, now: now)
    }

    static func time(_ value: Double?, now: Double) -> String {
        guard let value else { return "never" }
        let delta = Int(flooring: (now - value).rounded())
        let relative = delta >= 0 ? "\(delta)s ago" : "in \(-delta)s"
        return "\(RFC3339Timestamp.format(value)) (\(relative))"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
