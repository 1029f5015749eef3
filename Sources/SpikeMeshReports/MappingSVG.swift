import Foundation

extension MappingReport {
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    /// Layer i's colour: the ten of the category palette; then ten dark colours at hues the
    /// palette leaves free (dark, so that they do not read as a faded, little-used core of a
    /// palette colour); then hues a golden angle apart, darker and lighter in turn. A deep
    /// network's layers do not repeat colours.
    static func layerColour(_ i: Int) -> String {
        if i < palette.count { return palette[i] }
        let k = i - palette.count
        let free = [90.0, 240, 150, 345, 290, 45, 165, 225, 300, 75]
        if k < free.count { return "hsl(\(Int(free[k])), 75%, 30%)" }
        let hue = (Double(k) * 137.508 + 15).truncatingRemainder(dividingBy: 360)
        return "hsl(" + String(format: "%.1f", hue) + ", 65%, \(k % 2 == 0 ? 30 : 62)%)"
    }

    /// The mesh as SVG: one square per router of the chips in use, split into its cores;
    /// a core is coloured by layer and shaded by its highest limit use; links are drawn
    /// with width and colour by expected packets per tick; chips are outlined.
    public func svg() -> String {
        let mesh = mapping.mesh
        let hw = mapping.hardware.core
        let chipsShown = mapping.chipsUsed
        let chipCols = min(mesh.chipColumns, chipsShown)
        let chipRowsShown = (chipsShown + mesh.chipColumns - 1) / mesh.chipColumns
        let gw = chipCols * mesh.columns
        let gh = chipRowsShown * mesh.rows
        let cell = max(6.0, min(64.0, 1000.0 / Double(max(gw, gh))))
        // The legend is as wide as its longest line (about 7 px per character at 12 px), so no
        // layer name is cut.
        let longest = layers.map { $0.name.count + " (\($0.cores))".count }.max() ?? 20
        let margin = 20.0
        let legendWidth = max(300.0, 40 + 7.2 * Double(longest))
        let width = Double(gw) * cell + 2 * margin + legendWidth
        let height = max(Double(gh) * cell + 2 * margin + 40, Double(layers.count) * 18 + 210)
        let layerIndex = Dictionary(
            layers.enumerated().map { ($0.element.population, $0.offset) }, uniquingKeysWith: { a, _ in a })
        func colour(_ p: Int) -> String { Self.layerColour(layerIndex[p] ?? 0) }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(margin)" y="14" font-size="13" font-weight="bold">\(Chart.escaped(network.metadata["source"] ?? "network")) on \(Chart.escaped(mapping.hardware.name)): \(totalCores) cores, \(mapping.chipsUsed) chip(s)</text>

            """
        func x(_ gx: Int) -> Double { margin + Double(gx) * cell }
        func y(_ gy: Int) -> Double { margin + 10 + Double(gy) * cell }
        // Routers (empty), then cores.
        out += "<g stroke=\"#ddd\" stroke-width=\"0.5\" fill=\"#f7f7f7\">\n"
        for gy in 0..<gh {
            for gx in 0..<gw {
                out += "<rect x=\"\(x(gx))\" y=\"\(y(gy))\" width=\"\(cell)\" height=\"\(cell)\"/>\n"
            }
        }
        out += "</g>\n"
        let side = Int(Double(mesh.coresPerRouter).squareRoot().rounded(.up))
        let sub = cell / Double(side)
        for (k, core) in mapping.cores.enumerated() {
            let g = mapping.placement[k]
            let (rx, ry) = mesh.router(g)
            let local = g % mesh.coresPerRouter
            let use = max(
                Double(core.neurons) / Double(hw.neurons), Double(core.axons) / Double(hw.axons),
                Double(core.synapseBits) / Double(hw.synapseMemoryBits), Double(core.fanOutEntries) / Double(hw.fanOut))
            let opacity = 0.25 + 0.75 * min(1, use)
            let name = network.populations[core.population].name
            out +=
                "<rect x=\(q(x(rx) + Double(local % side) * sub + 0.5)) y=\(q(y(ry) + Double(local / side) * sub + 0.5)) width=\(q(sub - 1)) height=\(q(sub - 1)) fill=\"\(colour(core.population))\" fill-opacity=\(q(opacity))><title>core \(k) → physical \(g) (chip \(mesh.chip(g)), router (\(rx), \(ry)), core \(local) of it): \(Chart.escaped(name)), \(core.neurons) neurons, \(core.axons) axons, \(Int((100 * use).rounded())) % of the tightest limit</title></rect>\n"
        }
        // Links: a line between router centres, width and colour by load.
        let maxLoad = links.first?.load ?? 0
        if maxLoad > 0 {
            out += "<g stroke-linecap=\"round\">\n"
            for l in links.reversed() {
                let (fx, fy) = l.from
                let (tx, ty): (Int, Int) =
                    switch l.direction {
                    case "east": (fx + 1, fy)
                    case "west": (fx - 1, fy)
                    case "north": (fx, fy - 1)
                    default: (fx, fy + 1)
                    }
                guard fx < gw, fy < gh, tx < gw, ty < gh else { continue }
                let share = l.load / maxLoad
                let offset = (l.direction == "east" || l.direction == "south") ? cell * 0.12 : -cell * 0.12
                let (ox, oy) = (fx == tx) ? (offset, 0.0) : (0.0, offset)
                let c = Int(40 + 200 * share)
                out +=
                    "<line x1=\(q(x(fx) + cell / 2 + ox)) y1=\(q(y(fy) + cell / 2 + oy)) x2=\(q(x(tx) + cell / 2 + ox)) y2=\(q(y(ty) + cell / 2 + oy)) stroke=\"rgb(\(c),\(Int(60 * (1 - share))),\(Int(60 * (1 - share))))\" stroke-opacity=\"0.65\" stroke-width=\(q(0.5 + share * cell * 0.09))><title>link from router (\(fx), \(fy)) \(l.direction): \(String(format: "%.2f", l.load)) packets/tick expected</title></line>\n"
            }
            out += "</g>\n"
        }
        // Chip outlines.
        for chip in 0..<chipsShown {
            let cx = (chip % mesh.chipColumns) * mesh.columns
            let cy = (chip / mesh.chipColumns) * mesh.rows
            out +=
                "<rect x=\(q(x(cx))) y=\(q(y(cy))) width=\(q(Double(mesh.columns) * cell)) height=\(q(Double(mesh.rows) * cell)) fill=\"none\" stroke=\"#333\" stroke-width=\"2\"/>\n"
        }
        // Legend.
        let lx = x(gw) + 20
        var ly = margin + 20
        out += "<text x=\(q(lx)) y=\(q(ly)) font-weight=\"bold\">layers (cores)</text>\n"
        for l in layers {
            ly += 18
            out += "<rect x=\(q(lx)) y=\(q(ly - 10)) width=\"12\" height=\"12\" fill=\"\(colour(l.population))\"/>"
            out += "<text x=\(q(lx + 18)) y=\(q(ly))>\(Chart.escaped(l.name)) (\(l.cores))</text>\n"
        }
        ly += 30
        out += "<text x=\(q(lx)) y=\(q(ly))>shade: highest limit use of the core</text>\n"
        ly += 16
        out += "<text x=\(q(lx)) y=\(q(ly))>lines: expected packets/tick per link</text>\n"
        ly += 16
        out += "<text x=\(q(lx)) y=\(q(ly))>\(String(format: "busiest link: %.2f packets/tick", maxLoad))</text>\n"
        // Colour key of the link load: the same colour and width rule as the links.
        if maxLoad > 0 {
            for (k, share) in [0.0, 0.25, 0.5, 0.75, 1].enumerated() {
                ly += 16
                let c = Int(40 + 200 * share)
                out +=
                    "<line x1=\(q(lx)) y1=\(q(ly - 4)) x2=\(q(lx + 28)) y2=\(q(ly - 4)) stroke=\"rgb(\(c),\(Int(60 * (1 - share))),\(Int(60 * (1 - share))))\" stroke-opacity=\"0.65\" stroke-width=\(q(0.5 + share * cell * 0.09))/>"
                out +=
                    "<text x=\(q(lx + 36)) y=\(q(ly))>\(String(format: "%.1f", share * maxLoad)) packets/tick\(k == 4 ? " (busiest)" : "")</text>\n"
            }
        }
        out += "</svg>\n"
        return out
    }

    private func q(_ v: Double) -> String { "\"" + String(format: "%.1f", v) + "\"" }
}
