import Foundation
import SpikeMeshCore
import SpikeMeshEnergy
import SpikeMeshReports

extension SweepTable {
    /// A measured column of every row (nan for a failed point).
    func column(_ name: String) -> [Double] {
        rows.map { row in
            switch row.fields.first(where: { $0.0 == name })?.1 {
            case .number(let d)?: return d
            case .int(let i)?: return Double(i)
            default: return .nan
            }
        }
    }

    func pointLabel(_ row: Sweep.Row) -> String {
        Swift.zip(axes, row.values).map { "\($0.key)=\($1)" }.joined(separator: " ")
    }

    /// A metric against the first swept key, one line per value of the second (if any).
    func metricChart(_ name: String, title: String, yLabel: String, scale: Double = 1) -> String {
        let first = axes[0]
        let numeric = first.values.allSatisfy { Double($0) != nil }
        let position = { (v: String) -> Double in numeric ? Double(v)! : Double(first.values.firstIndex(of: v) ?? 0) }
        let values = column(name).map { $0 * scale }
        var groups: [(String, [Int])] = []
        if axes.count > 1 && !zip {
            for v in axes[1].values {
                groups.append(("\(axes[1].key)=\(v)", rows.indices.filter { rows[$0].values[1] == v }))
            }
        } else {
            groups = [(axes.count > 1 ? "zipped" : "", Array(rows.indices))]
        }
        let series = groups.map { name, idx in
            Chart.Series(
                name: name, points: idx.map { (position(rows[$0].values[0]), values[$0]) }.sorted { $0.x < $1.x })
        }
        // Few values: a tick at each (numeric ones at their value, others in order).
        let xTicks: [(Double, String)]? =
            !numeric
            ? first.values.enumerated().map { (Double($0.offset), $0.element) }
            : first.values.count <= 12 ? first.values.map { (Double($0)!, $0) } : nil
        return Chart.lines(
            title: title, xLabel: first.key, yLabel: yLabel, series: series, zeroY: name != "accuracy", xTicks: xTicks)
    }

    /// Accuracy against T, one line per point, when the points read accuracy at several T
    /// (`--timesteps 8,16,32`); T sit evenly spaced, as in a table of T columns.
    func accuracyCurves() -> String {
        let ts = curveTimesteps
        guard ts.count > 1 else { return "" }
        let position = Dictionary(uniqueKeysWithValues: ts.enumerated().map { ($0.element, Double($0.offset)) })
        let series = rows.filter { $0.error == nil }.map { row in
            Chart.Series(
                name: row.values.joined(separator: ", "),
                points: row.fields.compactMap { name, value in
                    guard let t = Sweep.curveTimesteps(name), case .number(let a) = value else { return nil }
                    return (position[t]!, 100 * a)
                })
        }
        return Chart.lines(
            title: "Accuracy against time steps", xLabel: "time steps T", yLabel: "accuracy (%)", series: series,
            xTicks: ts.map { (position[$0]!, String($0)) }, legendTitle: axes.map(\.key).joined(separator: ", "))
    }

    /// `sweep --html`: the study's plots and its table, in one self-contained file.
    public func html(command: String) -> String {
        let ok = rows.filter { $0.error == nil }
        var sections: [(String, String)] = []
        sections.append(
            (
                "The study",
                HTMLPage.table(
                    ["", ""],
                    [
                        ["model", model], ["data", "\(data) (\(count) images)"], ["hardware", hardware],
                        [
                            "swept",
                            axes.map { "\($0.key) = \($0.values.joined(separator: ", "))" }.joined(separator: "; ")
                                + (zip ? " (zipped)" : ""),
                        ],
                        ["points", "\(points) (\(ok.count) ran, \(rows.count - ok.count) failed)"],
                        [
                            "work",
                            "\(work.conversions) conversion(s), \(work.mappings) mapping(s), \(work.emulations) emulation(s), \(work.repriced) re-priced",
                        ],
                    ], keys: 2)
            ))
        if !ok.isEmpty {
            var charts = metricChart("energyMicrojoules", title: "Energy per inference", yLabel: "energy (µJ)")
            charts += metricChart("latencyMicroseconds", title: "Latency per inference", yLabel: "latency (µs)")
            charts += metricChart("accuracy", title: "Accuracy", yLabel: "accuracy (%)", scale: 100)
            charts += metricChart("edpMicrojouleMicroseconds", title: "Energy-delay product", yLabel: "EDP (µJ·µs)")
            charts += accuracyCurves()
            let energy = column("energyMicrojoules")
            let accuracy = column("accuracy").map { $0 * 100 }
            charts += Chart.pareto(
                title: "Energy against accuracy", xLabel: "energy per inference (µJ)", yLabel: "accuracy (%)",
                points: Array(Swift.zip(energy, accuracy)).map { (x: $0.0, y: $0.1) }, labels: rows.map(pointLabel))
            let parts = EnergyEstimate.partNames
            charts += Chart.stacked(
                title: "Where the energy goes", yLabel: "µJ per inference", parts: parts,
                bars: rows.map { row in
                    Chart.Bar(
                        label: row.values.joined(separator: " "),
                        values: parts.map { p in
                            if case .number(let d)? = row.fields.first(where: { $0.0 == "energy." + p })?.1 {
                                d
                            } else {
                                .nan
                            }
                        })
                })
            sections.append(("Plots", "<div class=\"charts\">\(charts)</div>"))
        }
        let header =
            ["point"] + axes.map(\.key) + [
                "cores", "chips", "fits", "accuracy", "latency µs", "energy µJ", "EDP µJ·µs", "SOPs", "packets",
                "peak link", "stalls",
            ]
        let f = [
            "cores", "chips", "fits", "accuracy", "latencyMicroseconds", "energyMicrojoules",
            "edpMicrojouleMicroseconds", "synapticOps", "packets", "peakLinkLoad", "stalledPacketTicks",
        ]
        let cells: [[String]] = rows.map { row in
            if let e = row.error {
                return [String(row.point)] + row.values + ["error: " + e] + [String](repeating: "", count: f.count - 1)
            }
            let d = Dictionary(uniqueKeysWithValues: row.fields.map { ($0.0, $0.1) })
            return [String(row.point)] + row.values
                + f.map { k in
                    switch d[k] {
                    case .bool(let b)?: return b ? "yes" : "NO"
                    case .int(let i)?: return String(i)
                    case .number(let x)?: return k == "accuracy" ? String(format: "%.2f %%", 100 * x) : Chart.label(x)
                    default: return ""
                    }
                }
        }
        sections.append(("Every point", HTMLPage.table(header, cells, keys: 1 + axes.count)))
        return HTMLPage.page(
            title: "SpikeMesh sweep — \(model) on \(hardware)", sections: sections,
            footer: "Made by: \(command). Every column of every point: --csv or --json (Docs/WhatIf.md).")
    }
}
