import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshPipeline
@testable import SpikeMeshReports

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG charts and the HTML reports: well-formed XML, every point present, the Pareto front.
@Suite struct ChartTests {
    /// Parses `text` as XML and returns the elements' names in document order (nil: not XML).
    static func elements(_ text: String) -> [String]? {
        final class Collector: NSObject, XMLParserDelegate {
            var names: [String] = []
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) {
                names.append(name)
            }
        }
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.names : nil
    }

    @Test func paretoFrontOfAHandMadeSet() {
        // (energy, accuracy): C is beaten by B (less energy, more accuracy), F by E; B and D tie
        // (neither is strictly better), so both stay; A is the cheapest, E the most accurate.
        let points: [(x: Double, y: Double)] = [(1, 50), (2, 70), (3, 60), (2, 70), (4, 90), (5, 85), (.nan, 99)]
        #expect(Chart.paretoFront(points) == [0, 1, 3, 4])
        #expect(Chart.paretoFront([]) == [])
    }

    @Test func chartsAreXMLWithAMarkPerPointAndEscapedText() throws {
        let lines = Chart.lines(
            title: "a < b & \"c\"", xLabel: "x", yLabel: "y",
            series: [
                Chart.Series(name: "one", points: [(1, 2), (2, 3), (3, 5)]),
                Chart.Series(name: "two\n", points: [(1, 1), (3, 1)]),
            ])
        let names = try #require(Self.elements(lines))
        #expect(
            names.first == "svg" && names.filter { $0 == "circle" }.count == 5
                && names.filter { $0 == "polyline" }.count == 2)
        #expect(lines.contains("a &lt; b &amp; &quot;c&quot;") && lines.contains("two\\n"))
        let pareto = Chart.pareto(
            title: "t", xLabel: "µJ", yLabel: "%", points: [(1, 50), (2, 70), (3, 60)], labels: ["p0", "p1", "p2"])
        #expect(Self.elements(pareto)?.filter { $0 == "circle" }.count == 3 + 1)  // three points, one legend marker
        #expect(pareto.components(separatedBy: "(Pareto front)").count - 1 == 2)
        let bars = Chart.stacked(
            title: "t", yLabel: "µJ", parts: ["a", "b"],
            bars: [Chart.Bar(label: "x", values: [1, 2]), Chart.Bar(label: "y", values: [0, 3])])
        // Background and frame, three non-zero parts, two legend keys.
        #expect(Self.elements(bars)?.filter { $0 == "rect" }.count == 2 + 3 + 2)
    }

    /// A sweep's HTML: well-formed, one table row and one Pareto point per point, its plots.
    @Test func sweepHTMLHoldsEveryPoint() throws {
        let base = SweepTests.pipeline()
        let data = try base.dataset(defaultLimit: 2)
        let sweep = Sweep(axes: [try Sweep.axis("core.weightBits=6,8"), try Sweep.axis("energy.hopPJ=1,2,4")])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        let table = SweepTable(
            model: "m", data: data.source, count: data.count, hardware: "loihi", axes: sweep.axes, zip: false,
            points: rows.count, shard: nil, rows: rows, work: work)
        let html = table.html(command: "spikemesh sweep test")
        let names = try #require(Self.elements(html), "the HTML must be well-formed XML")
        #expect(names.filter { $0 == "tr" }.count >= 6 + 1)
        #expect(names.filter { $0 == "svg" }.count == 6)
        for row in rows {
            let label = "core.weightBits=\(row.values[0]) energy.hopPJ=\(row.values[1])"
            #expect(html.contains("<title>\(label): energy per inference"), "point \(row.point) in the Pareto chart")
        }
    }

    /// A sweep whose run reads accuracy at several T: every row has the accuracy at each T
    /// (the last is the row's accuracy), the CSV has a column per T after the others, and the
    /// HTML draws accuracy against T with one line per point (a legend of 13 entries at most,
    /// the rest counted).
    @Test func sweepDrawsAccuracyAgainstTOneLinePerPoint() throws {
        var base = SweepTests.pipeline()
        base.run.timesteps = [8, 4]
        let data = try base.dataset(defaultLimit: 2)
        let sweep = Sweep(axes: [try Sweep.axis("energy.hopPJ=1..14")])
        let (rows, work) = try sweep.run(base, model: nil, data: data)
        #expect(work.emulations == 1 && rows.count == 14)
        for row in rows {
            let f = Dictionary(uniqueKeysWithValues: row.fields.map { ($0.0, $0.1) })
            #expect(
                row.fields.suffix(2).map(\.0) == ["accuracy.T4", "accuracy.T8"] && f["accuracy.T8"] == f["accuracy"],
                "point \(row.point)")
        }
        let table = SweepTable(
            model: "m", data: data.source, count: data.count, hardware: "loihi", axes: sweep.axes, zip: false,
            points: rows.count, shard: nil, rows: rows, work: work)
        let csv = table.csv(reproducible: true).split(separator: "\n").map(String.init)
        #expect(csv[0].hasSuffix(",neurobench.Dense,accuracy.T4,accuracy.T8,error"))
        #expect(
            csv.dropFirst().allSatisfy {
                $0.split(separator: ",", omittingEmptySubsequences: false).count == csv[0].split(separator: ",").count
            })
        let html = table.html(command: "spikemesh sweep test")
        let names = try #require(Self.elements(html), "the HTML must be well-formed XML")
        #expect(names.filter { $0 == "svg" }.count == 7)
        let curve = try #require(
            html.components(separatedBy: "Accuracy against time steps").dropFirst().first?.components(
                separatedBy: "</svg>"
            ).first)
        for row in rows {
            #expect(curve.contains("<title>\(row.values[0])</title></polyline>"), "point \(row.point)'s line")
        }
        #expect(curve.components(separatedBy: "<polyline").count - 1 == 14 && curve.contains("+ 2 more (hover a line)"))
        #expect(curve.contains(": time steps T 4, accuracy (%)") && curve.contains(">energy.hopPJ</text>"))
    }

    /// `map --svg` gives each layer its own colour, past the palette's ten: on TrueNorth the
    /// bundled CNN has more than ten layers with relays and splitters, and as many colours.
    @Test func mapLayersNeverShareAColour() throws {
        #expect(Set((0..<200).map(MappingReport.layerColour)).count == 200)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spikemesh-map-\(UUID().uuidString).svg"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CommandLineTests.run([
            "map", "--hardware", "truenorth", "--svg", path, "--quiet", "--calibration-images", "20", "--rate-images",
            "2", "--anneal", "10",
        ])
        #expect(r.code == 0, "\(r.stderr)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(Self.elements(svg) != nil)
        // Each core: fill="C" … <title>core k → …: LAYER, n neurons
        var colourOf: [String: Set<String>] = [:]
        for part in svg.components(separatedBy: "<rect ").dropFirst() where part.contains("<title>core ") {
            let fill = part.components(separatedBy: "fill=\"")[1].components(separatedBy: "\"")[0]
            let layer = part.components(separatedBy: "): ")[1].components(separatedBy: ", ")[0]
            colourOf[layer, default: []].insert(fill)
        }
        #expect(colourOf.count > 10 && colourOf.values.allSatisfy { $0.count == 1 })
        #expect(Set(colourOf.values.map { $0.first! }).count == colourOf.count, "two layers share a colour")
    }

    /// `report --html`: one well-formed file with the accuracy curve, the energy, the mapping.
    @Test func reportHTMLIsOneWellFormedFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "spikemesh-report-\(UUID().uuidString).html"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try CommandLineTests.run(
            ["report", "--timesteps", "4,8", "--html", path, "--quiet"] + CommandLineTests.small)
        #expect(r.code == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        let names = try #require(Self.elements(html), "the HTML must be well-formed XML")
        #expect(names.filter { $0 == "svg" }.count == 3 && names.contains("table") && names.contains("pre"))
        #expect(
            html.contains("Accuracy against time steps") && html.contains("Energy per inference on loihi")
                && html.contains("cores, 1 chip(s)"))
        // Self-contained: no script, and the only address is the SVG namespace.
        #expect(!html.contains("<script"))
        #expect(
            html.components(separatedBy: "http").count
                == html.components(separatedBy: "http://www.w3.org/2000/svg").count)
    }
}
