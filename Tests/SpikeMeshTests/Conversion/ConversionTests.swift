import Foundation
import Testing

@testable import SpikeMeshConversion
@testable import SpikeMeshFormats
@testable import SpikeMeshInference
@testable import SpikeMeshModel
@testable import SpikeMeshReference

/// Conversion and simulation of the bundled CNN (Examples/fmnist_cnn.onnx).
@Suite(.serialized) struct ConversionTests {
    static let graph = Result { try ONNXImporter.load(path: Fixtures.example("fmnist_cnn.onnx")) }
    static let test = Result { try Dataset.load(path: Fixtures.example("fashion-mnist-test-1000.smds.gz")) }
    static let train = Result { try Dataset.load(path: Fixtures.example("fashion-mnist-train-1000.smds.gz")) }

    func inputs(_ data: Dataset, _ n: Int, _ graph: ANNGraph) throws -> [Float] {
        let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
        return data.normalizedBatch(0..<n, mean: norm.mean, std: norm.std)
    }

    func convert(method: ThresholdMethod = .max, reset: ResetMode = .subtract, calibration: Int = 200) throws -> (
        SpikingNetwork, CalibrationSummary
    ) {
        let graph = try Self.graph.get()
        var options = ConversionOptions()
        options.method = method
        options.reset = reset
        return try Converter.convert(
            graph, calibration: try inputs(try Self.train.get(), calibration, graph), count: calibration,
            options: options)
    }

    @Test func structureOfTheBundledCNN() throws {
        let net = try Converter.structure(of: try Self.graph.get())
        // input, 3 conv ReLUs, 2 average pools, the hidden dense ReLU, the output.
        #expect(
            net.populations.map(\.shape) == [
                [1, 28, 28], [16, 28, 28], [32, 28, 28], [32, 14, 14], [32, 14, 14], [32, 7, 7], [64], [10],
            ])
        #expect(net.projections.map(\.typeName) == ["conv", "conv", "avgPool", "conv", "avgPool", "dense", "dense"])
        #expect(net.output == 7)
        #expect(net.depths == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    /// θ for `max` equals the largest activation of the layer, computed here independently.
    @Test func maxThresholdsAreTheLargestActivations() throws {
        let graph = try Self.graph.get()
        let (net, summary) = try convert(calibration: 100)
        let x = try inputs(try Self.train.get(), 100, graph)
        var largest = [Float](repeating: -.infinity, count: graph.layers.count)
        for i in 0..<100 {
            // One image at a time, by the straightforward route.
            let outs = ANNEngine(graph: graph, workers: 1).run(Array(x[(i * 784)..<((i + 1) * 784)]), count: 1)
            for l in graph.layers.indices { largest[l] = max(largest[l], outs[l].max() ?? -.infinity) }
        }
        #expect(summary.entries.count == 6)
        for e in summary.entries {
            let layer = net.populations[e.population].layer
            #expect(e.threshold == largest[layer], "\(e.name)")
        }
    }

    @Test func sameSeedSameSpikesWithPoissonInput() throws {
        let (net, _) = try convert(calibration: 50)
        let x = try inputs(try Self.test.get(), 3, try Self.graph.get())
        var options = SimulationOptions()
        options.encoding = .poisson
        options.checkpoints = [12]
        options.keepSpikeTrains = true
        options.seed = 42
        let a = try ReferenceSimulator(network: net).run(x, count: 3, options: options)
        options.workers = 1
        let b = try ReferenceSimulator(network: net).run(x, count: 3, options: options)
        #expect(a.spikeTrains == b.spikeTrains)
        #expect(a.spikeTrains[0][0].count > 0)
        options.seed = 43
        let c = try ReferenceSimulator(network: net).run(x, count: 3, options: options)
        #expect(c.spikeTrains[0][0] != a.spikeTrains[0][0])
    }

    /// A pipelined run read at T + depth gives exactly the layer-synchronous predictions at T.
    @Test func pipelinedDeliveryIsALayerSynchronousRunShiftedByDepth() throws {
        let (net, _) = try convert(calibration: 50)
        let x = try inputs(try Self.test.get(), 16, try Self.graph.get())
        var options = SimulationOptions()
        options.checkpoints = [8, 32]
        let sync = try ReferenceSimulator(network: net).run(x, count: 16, options: options)
        options.delivery = .pipelined
        let piped = try ReferenceSimulator(network: net).run(x, count: 16, options: options)
        #expect(piped.ticksRun == 32 + 7)
        #expect(piped.predictions == sync.predictions)
        #expect(piped.spikes == sync.spikes)
    }

    /// Subtract reset reaches the ANN at T = 256 and beats zero reset at every T.
    @Test func softResetTracksTheANNAndBeatsHardReset() throws {
        let graph = try Self.graph.get()
        let data = try Self.test.get().limited(to: 250)
        let x = try inputs(data, 250, graph)
        let labels = data.labels.map(Int.init)
        let ann = ANNEngine.argmax(ANNEngine(graph: graph).forward(x, count: 250), count: 250)
        let annAccuracy = Double(zip(ann, labels).filter { $0 == $1 }.count) / 250
        var options = SimulationOptions()
        options.checkpoints = [16, 32, 64, 128, 256]
        func accuracies(_ reset: ResetMode) throws -> [Double] {
            let (net, _) = try convert(reset: reset, calibration: 1000)
            let r = try ReferenceSimulator(network: net).run(x, count: 250, options: options)
            return r.predictions.map { p in Double(zip(p, labels).filter { $0 == $1 }.count) / 250 }
        }
        let soft = try accuracies(.subtract)
        let hard = try accuracies(.zero)
        #expect(abs(soft.last! - annAccuracy) <= 0.01, "soft \(soft) ANN \(annAccuracy)")
        for (s, h) in zip(soft, hard) { #expect(s >= h, "soft \(soft) hard \(hard)") }
    }

    /// The QCFS model (θ = λ, V(0) = θ/2, linear pooling) at T = 8 is within 2 % of its ANN on
    /// the 1,000 bundled test images (Bu et al. 2022's ultra-low-latency claim).
    @Test func qcfsModelAtEightTicksTracksItsANN() throws {
        let graph = try ONNXImporter.load(path: Fixtures.example("fmnist_cnn_qcfs.onnx"))
        let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
        var conversion = ConversionOptions()
        conversion.method = .qcfs
        conversion.pooling = .linear
        let (net, _) = try Converter.convert(graph, calibration: [], count: 0, options: conversion)
        #expect(net.populations.dropFirst().dropLast().allSatisfy { $0.initialPotential == $0.threshold / 2 })
        let data = try Self.test.get()
        let ann = try ANNEngine(graph: graph).evaluate(data, normalization: norm).accuracy
        var o = SimulationOptions()
        o.checkpoints = [8]
        let snn = try ReferenceSimulator(network: net).accuracy(data, normalization: norm, options: o)[0]
        #expect(snn >= ann - 0.02, "SNN at T = 8: \(snn), ANN \(ann)")
    }

    /// A residual network (Tools/train_resnet_fixture.py: BatchNorm, residual Add, average
    /// pooling): both branches project into the join population; soft reset at T = 256
    /// stays within 2 % of the ANN on 200 test images.
    @Test func residualNetworkTracksTheANN() throws {
        let graph = try ONNXImporter.load(path: Fixtures.path("models/fmnist_resnet_small.onnx"))
        let norm = try Normalization.resolve(mean: nil, std: nil, graph: graph)
        let calibration = try Self.train.get().normalizedBatch(0..<200, mean: norm.mean, std: norm.std)
        var options = ConversionOptions()
        options.method = .max
        let (net, _) = try Converter.convert(graph, calibration: calibration, count: 200, options: options)
        #expect(net.projections.contains { if case .identity = $0.kind { true } else { false } })
        let data = try Self.test.get().limited(to: 200)
        let ann = try ANNEngine(graph: graph).evaluate(data, normalization: norm).accuracy
        var o = SimulationOptions()
        o.checkpoints = [256]
        let snn = try ReferenceSimulator(network: net).accuracy(data, normalization: norm, options: o)[0]
        #expect(abs(snn - ann) <= 0.02, "SNN \(snn) vs ANN \(ann)")
    }
}
