import Foundation
import SpikeMeshCore

/// Self-contained SVG charts (no script, no external font or stylesheet), for reports meant
/// for people: lines, scatter plots with a Pareto front, stacked bars. Every mark has a
/// `<title>` tooltip; text is escaped for XML.
public enum Chart {
    /// One line or set of points.
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// One stacked bar: its label and its parts (in the order of `parts`).
    public struct Bar: Sendable {
        public var label: String
        public var values: [Double]
        public init(label: String, values: [Double]) {
            self.label = label
            self.values = values
        }
    }

    /// Eight colours that stay apart for the common colour-vision deficiencies (Okabe & Ito 2008).
    public static let palette = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
    ]

    static let width = 580.0, height = 380.0
    static let left = 78.0, right = 160.0, top = 44.0, bottom = 60.0

    /// A name for a label: one line (control characters shown escaped, long names cut), then
    /// escaped for XML.
    public static func escaped(_ s: String) -> String { xml(Text.escaped(s)) }

    /// Any text escaped for XML, whole: newlines and tabs kept, other control characters shown
    /// as `\u{…}` (XML 1.0 cannot hold them).
    public static func xml(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            if ch.value < 0x20 && ch != "\n" && ch != "\t" {
                out += "\\u{\(String(ch.value, radix: 16))}"
                continue
            }
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// A number for an axis tick or a tooltip: short, without trailing zeros.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        return String(format: a >= 100 && a < 1e6 ? "%.0f" : "%.3g", v)
    }

    /// About `count` round tick values covering lo…hi.
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var t = (lo / step).rounded(.up) * step
        var out: [Double] = []
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    static func range(_ values: [Double], zero: Bool) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        var lo = finite.min() ?? 0
        var hi = finite.max() ?? 1
        if zero {
            lo = min(lo, 0)
            hi = max(hi, 0)
        }
        if lo == hi {
            lo -= lo == 0 ? 1 : abs(lo) * 0.1
            hi += hi == 0 ? 1 : abs(hi) * 0.1
        }
        let pad = (hi - lo) * 0.05
        return (zero && lo == 0 ? 0 : lo - pad, hi + pad)
    }

    /// The frame, title, axes with ticks and labels; returns the SVG text and the mappings
    /// from data to pixels.
    static func frame(
        title: String, xLabel: String, yLabel: String, x: (Double, Double), y: (Double, Double),
        xTicks: [(Double, String)]? = nil
    ) -> (String, (Double) -> Double, (Double) -> Double) {
        let plotW = width - left - right
        let plotH = height - top - bottom
        let sx = { (v: Double) in left + (v - x.0) / (x.1 - x.0) * plotW }
        let sy = { (v: Double) in top + plotH - (v - y.0) / (y.1 - y.0) * plotH }
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
            <rect width="\(Int(width))" height="\(Int(height))" fill="white"/>
            <text x="\(Int(width / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(escaped(title))</text>
            <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#888"/>

            """
        for t in ticks(y.0, y.1) {
            let py = sy(t)
            s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(py)\" y2=\"\(py)\" stroke=\"#e4e4e4\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(py + 4)\" text-anchor=\"end\">\(escaped(label(t)))</text>\n"
        }
        for (t, text) in xTicks ?? ticks(x.0, x.1).map({ ($0, label($0)) }) {
            let px = sx(t)
            s += "<line x1=\"\(px)\" x2=\"\(px)\" y1=\"\(top)\" y2=\"\(top + plotH)\" stroke=\"#e4e4e4\"/>"
            s += "<text x=\"\(px)\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(escaped(text))</text>\n"
        }
        s += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 18)\" text-anchor=\"middle\">\(escaped(xLabel))</text>\n"
        s +=
            "<text transform=\"translate(20 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">\(escaped(yLabel))</text>\n"
        return (s, sx, sy)
    }

    /// Entries that fit beside the plot; a longer legend ends with how many it leaves out.
    static let legendEntries = 13

    static func legend(_ names: [String], title: String? = nil, marker: (Int, Double, Double) -> String) -> String {
        var s = ""
        var y = top + 14
        if let title {
            s += "<text x=\"\(width - right + 16)\" y=\"\(y)\" font-weight=\"bold\">\(escaped(title))</text>\n"
            y += 20
        }
        let shown = names.count > legendEntries ? legendEntries - 1 : names.count
        for (k, name) in names.prefix(shown).enumerated() {
            s += marker(k, width - right + 16, y - 4)
            s += "<text x=\"\(width - right + 36)\" y=\"\(y)\">\(escaped(name))</text>\n"
            y += 20
        }
        if shown < names.count {
            s +=
                "<text x=\"\(width - right + 16)\" y=\"\(y)\" fill=\"#555\">+ \(names.count - shown) more (hover a line)</text>\n"
        }
        return s
    }

    /// Lines through each series' points (x numeric; `xTicks` names categorical positions,
    /// and tooltips use those names). `legendTitle` heads the legend (what its names are).
    public static func lines(
        title: String, xLabel: String, yLabel: String, series: [Series], zeroY: Bool = false,
        xTicks: [(Double, String)]? = nil, legendTitle: String? = nil
    ) -> String {
        let xText = { (x: Double) in xTicks?.first { $0.0 == x }?.1 ?? label(x) }
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        let (s0, sx, sy) = frame(
            title: title, xLabel: xLabel, yLabel: yLabel, x: range(xs, zero: false), y: range(ys, zero: zeroY),
            xTicks: xTicks)
        var s = s0
        for (k, line) in series.enumerated() {
            let colour = palette[k % palette.count]
            let dash = Self.dash(k)
            let finite = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            if finite.count > 1 {
                s +=
                    "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash) points=\""
                    + finite.map { "\(sx($0.x)),\(sy($0.y))" }.joined(separator: " ")
                    + "\"><title>\(escaped(line.name))</title></polyline>\n"
            }
            for p in finite {
                s +=
                    "<circle cx=\"\(sx(p.x))\" cy=\"\(sy(p.y))\" r=\"4\" fill=\"\(colour)\"><title>\(escaped(line.name)): \(escaped(xLabel)) \(escaped(xText(p.x))), \(escaped(yLabel)) \(escaped(label(p.y)))</title></circle>\n"
            }
        }
        if series.count > 1 || !(series.first?.name.isEmpty ?? true) {
            s += legend(series.map(\.name), title: legendTitle) { k, x, y in
                "<line x1=\"\(x)\" x2=\"\(x + 14)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"\(palette[k % palette.count])\" stroke-width=\"3\"\(dash(k))/>"
            }
        }
        return s + "</svg>\n"
    }

    /// Lines past the palette's eight colours are dashed, every other round.
    static func dash(_ k: Int) -> String { (k / palette.count) % 2 == 1 ? " stroke-dasharray=\"6 3\"" : "" }

    /// The points no other point beats: none has at least their accuracy (`y`, higher is
    /// better) at no more energy (`x`, lower is better) while strictly better in one of them.
    public static func paretoFront(_ points: [(x: Double, y: Double)]) -> [Int] {
        points.indices.filter { i in
            let p = points[i]
            guard p.x.isFinite, p.y.isFinite else { return false }
            return !points.contains { q in
                q.x.isFinite && q.y.isFinite && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y)
            }
        }
    }

    /// A scatter of labelled points (lower x and higher y are better), the Pareto front drawn
    /// as a line and its points ringed.
    public static func pareto(
        title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double)], labels: [String]
    ) -> String {
        let (s0, sx, sy) = frame(
            title: title, xLabel: xLabel, yLabel: yLabel, x: range(points.map(\.x), zero: false),
            y: range(points.map(\.y), zero: false))
        var s = s0
        let front = paretoFront(points).sorted { points[$0].x < points[$1].x }
        if front.count > 1 {
            s +=
                "<polyline fill=\"none\" stroke=\"\(palette[3])\" stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\""
                + front.map { "\(sx(points[$0].x)),\(sy(points[$0].y))" }.joined(separator: " ") + "\"/>\n"
        }
        let onFront = Set(front)
        for (i, p) in points.enumerated() where p.x.isFinite && p.y.isFinite {
            let ring = onFront.contains(i) ? " stroke=\"\(palette[3])\" stroke-width=\"2.5\"" : ""
            s +=
                "<circle cx=\"\(sx(p.x))\" cy=\"\(sy(p.y))\" r=\"5\" fill=\"\(palette[0])\"\(ring)><title>\(escaped(labels[i])): \(escaped(xLabel)) \(escaped(label(p.x))), \(escaped(yLabel)) \(escaped(label(p.y)))\(onFront.contains(i) ? " (Pareto front)" : "")</title></circle>\n"
        }
        s += legend(["point", "Pareto front"]) { k, x, y in
            k == 0
                ? "<circle cx=\"\(x + 7)\" cy=\"\(y)\" r=\"5\" fill=\"\(palette[0])\"/>"
                : "<line x1=\"\(x)\" x2=\"\(x + 14)\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"\(palette[3])\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
        }
        return s + "</svg>\n"
    }

    /// One stacked bar per entry, the parts in `parts` order and colours.
    public static func stacked(title: String, yLabel: String, parts: [String], bars: [Bar]) -> String {
        let totals = bars.map { $0.values.filter(\.isFinite).reduce(0, +) }
        let n = Double(max(bars.count, 1))
        let slot = (width - left - right) / n
        let xTicks = bars.enumerated().map { (Double($0.offset), $0.element.label) }
        let (s0, _, sy) = frame(
            title: title, xLabel: "", yLabel: yLabel, x: (-0.5, n - 0.5), y: range(totals + [0], zero: true),
            xTicks: bars.count <= 16 ? xTicks : [])
        var s = s0
        for (b, bar) in bars.enumerated() {
            var base = 0.0
            let x = left + slot * Double(b) + slot * 0.15
            for (k, v) in bar.values.enumerated() where v.isFinite && v > 0 {
                let y0 = sy(base)
                let y1 = sy(base + v)
                s +=
                    "<rect x=\"\(x)\" y=\"\(y1)\" width=\"\(slot * 0.7)\" height=\"\(max(0, y0 - y1))\" fill=\"\(palette[k % palette.count])\"><title>\(escaped(bar.label)): \(escaped(parts[k])) \(escaped(label(v))) \(escaped(yLabel))</title></rect>\n"
                base += v
            }
        }
        s += legend(parts) { k, x, y in
            "<rect x=\"\(x)\" y=\"\(y - 6)\" width=\"14\" height=\"12\" fill=\"\(palette[k % palette.count])\"/>"
        }
        return s + "</svg>\n"
    }
}
