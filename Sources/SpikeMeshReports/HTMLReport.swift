import Foundation
import SpikeMeshCore

/// One self-contained HTML page: inline CSS and SVG, no script, no network.
public enum HTMLPage {
    public static let style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; } th { background: #f0f0f0; }
        td.key, th.key { text-align: left; } td.error { text-align: left; color: #b00; }
        pre { background: #f7f7f7; padding: 10px; font-size: 12px; overflow-x: auto; }
        .charts { display: flex; flex-wrap: wrap; gap: 12px; } .note { color: #555; font-size: 13px; }
        """

    /// A page with a title, and sections of already-rendered HTML.
    public static func page(title: String, sections: [(heading: String, html: String)], footer: String) -> String {
        var out =
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>\(Chart.escaped(title))</title>\n<style>\(style)</style></head><body>\n"
        out += "<h1>\(Chart.escaped(title))</h1>\n"
        for s in sections { out += "<h2>\(Chart.escaped(s.heading))</h2>\n\(s.html)\n" }
        out += "<p class=\"note\">\(Chart.xml(footer))</p>\n</body></html>\n"
        return out
    }

    /// A table: a header and rows of cells; the first `keys` columns are left-aligned.
    public static func table(_ header: [String], _ rows: [[String]], keys: Int = 1) -> String {
        var out = "<table>"
        if header.contains(where: { !$0.isEmpty }) {
            out +=
                "<tr>"
                + header.enumerated().map {
                    "<th\($0.offset < keys ? " class=\"key\"" : "")>\(Chart.escaped($0.element))</th>"
                }.joined() + "</tr>\n"
        }
        for r in rows {
            out +=
                "<tr>"
                + r.enumerated().map { cell in
                    let cls =
                        cell.element.hasPrefix("error: ")
                        ? " class=\"error\"" : cell.offset < keys ? " class=\"key\"" : ""
                    return "<td\(cls)>\(Chart.xml(cell.element))</td>"
                }.joined() + "</tr>\n"
        }
        return out + "</table>\n"
    }

    public static func pre(_ text: String) -> String { "<pre>\(Chart.xml(text))</pre>" }
}

extension PipelineReport {
    /// `report --html`: the pipeline summary, accuracy against T, the mapping and the energy.
    public func html(command: String) -> String {
        let e = emulation.energy
        let curve = Chart.lines(
            title: "Accuracy against time steps", xLabel: "time steps T", yLabel: "accuracy (%)",
            series: [
                Chart.Series(name: "ANN", points: checkpoints.map { (Double($0), 100 * ann.accuracy) }),
                Chart.Series(
                    name: "float reference SNN", points: zip(checkpoints, reference).map { (Double($0.0), 100 * $0.1) }),
                Chart.Series(
                    name: "emulated on \(emulation.hardware.name)",
                    points: zip(emulation.evaluation.checkpoints, emulation.evaluation.accuracy).map {
                        (Double($0.0), 100 * $0.1)
                    }),
            ])
        let energy = Chart.stacked(
            title: "Energy per inference on \(emulation.hardware.name)", yLabel: "µJ",
            parts: e.parts.map(\.name),
            bars: [
                Chart.Bar(
                    label: "T = \(emulation.evaluation.checkpoints.last ?? 0)", values: e.parts.map(\.microjoules))
            ])
        let summaryRows: [[String]] = [
            ["ANN accuracy", String(format: "%.2f %%", 100 * ann.accuracy)],
            [
                "emulated accuracy",
                String(
                    format: "%.2f %% at T = %d", 100 * emulation.accuracy, emulation.evaluation.checkpoints.last ?? 0),
            ],
            ["cores, chips", "\(emulation.mapping.cores.count), \(emulation.mapping.chipsUsed)"],
            ["latency per inference", String(format: "%.2f µs (%.0f ticks)", e.latencyMicroseconds, e.latencyTicks)],
            [
                "energy per inference",
                String(format: "%.3f µJ (%.2f pJ per synaptic op, all-in)", e.totalMicrojoules, e.picojoulesPerSOP),
            ],
        ]
        return HTMLPage.page(
            title: "SpikeMesh report — \(model) on \(emulation.hardware.name)",
            sections: [
                ("Summary", HTMLPage.table(["", ""], summaryRows, keys: 2)),
                ("Accuracy and energy", "<div class=\"charts\">\(curve)\(energy)</div>"),
                ("Mapping", mapping.svg()),
                ("The whole report", HTMLPage.pre(text())),
            ], footer: "Made by: \(command) — \(images) images of \(data).")
    }
}
