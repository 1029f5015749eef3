import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshCore
@testable import SpikeMeshEmulation
@testable import SpikeMeshFormats
@testable import SpikeMeshHardware
@testable import SpikeMeshMapping
@testable import SpikeMeshModel
@testable import SpikeMeshReference

/// The emulator against the reference simulator, spike for spike, and its counters' totals.
@Suite(.serialized) struct EmulatorTests {
    static let test = Result { try Dataset.load(path: Fixtures.example("fashion-mnist-test-1000.smds.gz")) }
    static let train = Result { try Dataset.load(path: Fixtures.example("fashion-mnist-train-1000.smds.gz")) }

    static func converted(_ model: String, calibration: Int = 50, options: ConversionOptions = ConversionOptions())
        throws -> (SpikingNetwork, Normalization)
    {
        let graph = try ONNXImporter.load(path: model)
        let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
        let images = try train.get().normalizedBatch(0..<calibration, mean: norm.mean, std: norm.std)
        return (try Converter.convert(graph, calibration: images, count: calibration, options: options).0, norm)
    }

    /// Every low-latency remedy on (Docs/Conversion.md): V(0) = θ/2, channel-wise thresholds,
    /// linear pooling (so that the populations before the poolings are scaled too), bias
    /// calibration and potential calibration (one V(0) per channel).
    static let remedies: ConversionOptions = {
        var o = ConversionOptions()
        o.initialPotential = .half
        o.thresholdScope = .channel
        o.pooling = .linear
        o.biasCalibrationTicks = 8
        o.potentialCalibrationTicks = 8
        return o
    }()
    static let cnnWithRemedies = Result {
        try converted(Fixtures.example("fmnist_cnn.onnx"), calibration: 20, options: remedies)
    }

    static let cnn = Result { try converted(Fixtures.example("fmnist_cnn.onnx")) }
    static let resnet = Result { try converted(Fixtures.path("models/fmnist_resnet_small.onnx")) }

    /// Runs the emulator and the reference on the same fixed-point network; returns both.
    func both(
        _ network: SpikingNetwork, hardware: String, images: Int, timesteps: Int, encoding: InputEncoding,
        delivery: DeliveryMode, srpTau: Int = 0, norm: Normalization, unlimitedLinks: Bool = false
    ) throws -> (EmulationResult, SimulationResult, Mapping) {
        let (fixed, _) = try Quantizer.exact(network)
        var hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/\(hardware).json")
        if unlimitedLinks { hw.mesh.linkCapacity = 0 }
        let mapping = try Mapper.map(fixed, on: hw)
        let x = try Self.test.get().normalizedBatch(0..<images, mean: norm.mean, std: norm.std)
        var e = EmulationOptions()
        e.checkpoints = [timesteps]
        e.encoding = encoding
        e.delivery = delivery
        e.seed = 7
        e.srpTau = srpTau
        e.keepSpikeTrains = true
        var r = SimulationOptions()
        r.checkpoints = [timesteps]
        r.encoding = encoding
        r.delivery = delivery
        r.seed = 7
        r.srpTau = srpTau
        r.keepSpikeTrains = true
        let emulated = try Emulator(network: fixed, mapping: mapping).run(x, count: images, options: e)
        let reference = try ReferenceSimulator(network: fixed).run(x, count: images, options: r)
        return (emulated, reference, mapping)
    }

    func firstDifference(_ x: [Int], _ y: [Int], n: Int) -> Int {
        let d = Set(x).symmetricDifference(Set(y))
        return (d.min() ?? -n) / n + 1
    }

    func expectSameSpikes(_ a: EmulationResult, _ b: SimulationResult, populations: Int, sizes populationSize: [Int]) {
        #expect(a.predictions == b.predictions)
        var total = 0
        for image in a.spikeTrains.indices {
            for p in 1..<populations {
                let x = a.spikeTrains[image][p].sorted()
                let y = b.spikeTrains[image][p].sorted()
                let same = x == y  // not printed: the trains are long
                #expect(
                    same,
                    "image \(image), population \(p): \(x.count) vs \(y.count) spikes, first difference at tick \(firstDifference(x, y, n: populationSize[p]))"
                )
                total += x.count
            }
        }
        #expect(total > 1000, "the comparison must involve real activity (\(total) spikes)")
        #expect(a.counters.saturations == 0)
    }

    @Test(arguments: [InputEncoding.direct, .poisson], [DeliveryMode.layerSynchronous, .pipelined])
    func exactOnTheBundledCNN(encoding: InputEncoding, delivery: DeliveryMode) throws {
        let (net, norm) = try Self.cnn.get()
        let (a, b, _) = try both(
            net, hardware: "loihi", images: 4, timesteps: 24, encoding: encoding, delivery: delivery, norm: norm)
        expectSameSpikes(a, b, populations: net.populations.count, sizes: net.populations.map(\.count))
        #expect(a.counters.stalledPacketTicks == 0 && a.counters.latePackets == 0)
    }

    /// Loihi 2 (issue 13): the bundled CNN fits its 8,192-neuron cores with no relay or
    /// splitter (fan-in decomposition leaves it unchanged), and with --exact's integers the
    /// emulator spikes exactly as the reference, in both deliveries.
    @Test(arguments: [DeliveryMode.layerSynchronous, .pipelined])
    func exactOnLoihi2(delivery: DeliveryMode) throws {
        let (net, norm) = try Self.cnn.get()
        let hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/loihi2.json")
        let d = try FanInDecomposition.decompose(net, hardware: hw)
        #expect(d.relays.isEmpty && d.unresolved.isEmpty && d.network.populations.count == net.populations.count)
        let (a, b, mapping) = try both(
            net, hardware: "loihi2", images: 3, timesteps: 16, encoding: .direct, delivery: delivery, norm: norm)
        #expect(mapping.fits, "\(mapping.violations.map(\.description))")
        expectSameSpikes(a, b, populations: net.populations.count, sizes: net.populations.map(\.count))
    }

    @Test(arguments: [DeliveryMode.layerSynchronous, .pipelined])
    func exactWithEveryLowLatencyRemedy(delivery: DeliveryMode) throws {
        let (net, norm) = try Self.cnnWithRemedies.get()
        #expect(net.metadata["thresholds"] == "channel" && net.metadata["calibrateBias"] == "8")
        #expect(net.hidden.allSatisfy { net.populations[$0].initialPotential == net.populations[$0].threshold / 2 })
        #expect(net.metadata["calibratePotential"] == "8")
        // The calibrated V(0) differs between channels, so the per-channel path is exercised.
        #expect(net.hidden.allSatisfy { p in Set(net.populations[p].channelInitialPotential ?? []).count > 1 })
        let (a, b, _) = try both(
            net, hardware: "loihi", images: 3, timesteps: 16, encoding: .direct, delivery: delivery,
            norm: norm, unlimitedLinks: true)
        expectSameSpikes(a, b, populations: net.populations.count, sizes: net.populations.map(\.count))
    }

    /// Residual joins: pipelined delivery needs axon delays on the shorter path.
    @Test(arguments: [DeliveryMode.layerSynchronous, .pipelined])
    func exactOnTheResidualFixture(delivery: DeliveryMode) throws {
        let (net, norm) = try Self.resnet.get()
        #expect(net.projections.contains { if case .identity = $0.kind { true } else { false } })
        let (a, b, _) = try both(
            net, hardware: "generic-small", images: 2, timesteps: 16, encoding: .poisson, delivery: delivery,
            norm: norm, unlimitedLinks: true)
        expectSameSpikes(a, b, populations: net.populations.count, sizes: net.populations.map(\.count))
    }

    @Test func exactWithSRP() throws {
        let (net, norm) = try Self.cnn.get()
        var qcfsLike = net
        for p in qcfsLike.hidden { qcfsLike.populations[p].initialPotential = qcfsLike.populations[p].threshold / 2 }
        let (a, b, _) = try both(
            qcfsLike, hardware: "generic-small", images: 3, timesteps: 8, encoding: .direct,
            delivery: .layerSynchronous, srpTau: 4, norm: norm, unlimitedLinks: true)
        expectSameSpikes(a, b, populations: net.populations.count, sizes: net.populations.map(\.count))
    }

    /// Every packet is delivered once (or still pending at the end), and synaptic ops equal,
    /// for every spike, the number of synapses its neuron has — counted here by brute force
    /// from the projections' definitions, not from the mapping.
    @Test(arguments: [DeliveryMode.layerSynchronous, .pipelined])
    func countersAreConserved(delivery: DeliveryMode) throws {
        let (net, norm) = try Self.cnn.get()
        let (a, _, mapping) = try both(
            net, hardware: "generic-small", images: 2, timesteps: 12, encoding: .poisson, delivery: delivery,
            norm: norm, unlimitedLinks: true)
        let c = a.counters
        #expect(c.packets + c.inputPackets == c.delivered + c.pendingAtEnd)
        #expect(c.corePacketsIn.reduce(0, +) == c.delivered)
        #expect(c.corePacketsOut.reduce(0, +) == c.packets)
        #expect(c.coreSynapticOps.reduce(0, +) == c.synapticOps)
        #expect(c.linkPackets.reduce(0, +) == c.hopsWithinChip + c.hopsBetweenChips)
        #expect(c.hopsBetweenChips > 0, "generic-small has two chips; some routes must cross")
        if delivery == .layerSynchronous {
            #expect(c.pendingAtEnd == 0)
            // Expected SOPs: Σ over spikes (trains hold every tick) of the neuron's synapse count.
            var expected = 0
            let fanOut = net.populations.indices.map { synapseCounts(net, source: $0) }
            for image in a.spikeTrains.indices {
                for p in 0..<(net.populations.count - 1) {
                    let n = net.populations[p].count
                    for s in a.spikeTrains[image][p] { expected += fanOut[p][s % n] }
                }
            }
            #expect(c.synapticOps == expected)
        }
        #expect(mapping.cores.count == c.coreSynapticOps.count)
    }

    /// Synapses leaving each neuron (CHW index) of `source`, from the projection definitions.
    func synapseCounts(_ net: SpikingNetwork, source: Int) -> [Int] {
        let shape = net.populations[source].shape
        let (C, H, W) = shape.count == 3 ? (shape[0], shape[1], shape[2]) : (shape[0], 1, 1)
        var counts = [Int](repeating: 0, count: C * H * W)
        for proj in net.projections where proj.source == source {
            let t = net.populations[proj.target].shape
            let (tc, th, tw) = t.count == 3 ? (t[0], t[1], t[2]) : (t[0], 1, 1)
            func window(_ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ top: Int, _ left: Int, all: Bool) {
                for o in 0..<tc {
                    for oy in 0..<th {
                        for ox in 0..<tw {
                            for u in 0..<kh {
                                for v in 0..<kw {
                                    let y = oy * sh - top + u
                                    let x = ox * sw - left + v
                                    guard y >= 0, y < H, x >= 0, x < W else { continue }
                                    if all {
                                        for c in 0..<C { counts[(c * H + y) * W + x] += 1 }
                                    } else {
                                        counts[(o * H + y) * W + x] += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
            switch proj.kind {
            case .dense: for i in counts.indices { counts[i] += tc * th * tw }
            case .identity: for i in counts.indices { counts[i] += 1 }
            case .conv(let c):
                window(
                    c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.padding.top, c.padding.left,
                    all: true)
            case .avgPool(let p):
                window(
                    p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.padding.top, p.padding.left,
                    all: false)
            }
        }
        return counts
    }

    /// Links of half the unlimited peak load make packets wait: the waits are counted and
    /// every packet is still delivered or accounted for.
    @Test func congestionStallsButLosesNothing() throws {
        let (net, norm) = try Self.cnn.get()
        let (fixed, _) = try Quantizer.quantize(net, weightBits: 8, potentialBits: 16, name: "test")
        var hw = try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/generic-small.json")
        var e = EmulationOptions()
        e.checkpoints = [12]
        let x = try Self.test.get().normalizedBatch(0..<2, mean: norm.mean, std: norm.std)
        hw.mesh.linkCapacity = 0
        let free = try Emulator(network: fixed, mapping: try Mapper.map(fixed, on: hw)).run(x, count: 2, options: e)
            .counters
        #expect(free.stalledPacketTicks == 0 && free.latePackets == 0)
        let capacity = max(1, free.linkPeak.max()! / 2)
        hw.mesh.linkCapacity = capacity
        let c = try Emulator(network: fixed, mapping: try Mapper.map(fixed, on: hw)).run(x, count: 2, options: e)
            .counters
        #expect(c.stalledPacketTicks > 0)
        #expect(c.latePackets > 0)
        #expect(c.linkPeak.max()! <= capacity)
        #expect(c.packets + c.inputPackets == c.delivered + c.pendingAtEnd)
        #expect(c.linkPackets.reduce(0, +) == c.hopsWithinChip + c.hopsBetweenChips)
    }

    /// Same inputs and seed, any worker count → identical counters and predictions.
    @Test func deterministicAcrossWorkers() throws {
        let (net, norm) = try Self.cnn.get()
        let (fixed, _) = try Quantizer.quantize(net, weightBits: 8, potentialBits: 24, name: "test")
        let mapping = try Mapper.map(
            fixed, on: try HardwareModel.load(Fixtures.packageRoot.path + "/HardwareModels/loihi.json"))
        let x = try Self.test.get().normalizedBatch(0..<4, mean: norm.mean, std: norm.std)
        var e = EmulationOptions()
        e.checkpoints = [10]
        e.encoding = .poisson
        e.seed = 3
        e.workers = 1
        let one = try Emulator(network: fixed, mapping: mapping).run(x, count: 4, options: e)
        e.workers = 2
        let two = try Emulator(network: fixed, mapping: mapping).run(x, count: 4, options: e)
        #expect(one.predictions == two.predictions)
        #expect(one.counters.synapticOps == two.counters.synapticOps)
        #expect(one.counters.linkPackets == two.counters.linkPackets)
        #expect(one.counters.timeNs == two.counters.timeNs)
    }
}
