import Foundation
import SpikeMeshCore
import SpikeMeshModel

public struct SimulationOptions: Sendable {
    /// Input-presentation ticks at which accuracy is read; the run lasts the largest.
    public var checkpoints: [Int] = [64]
    public var encoding: InputEncoding = .direct
    public var delivery: DeliveryMode = .layerSynchronous
    public var readout: ReadoutMode = .membrane
    public var seed: UInt64 = 0
    /// SRP (Hao et al. 2023): τ preliminary ticks, then reset and suppress. 0 = off.
    public var srpTau: Int = 0
    public var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    /// Stop each tick after this population (calibration of the RMP method).
    public var lastPopulation: Int? = nil
    /// Record the largest input current of this population (calibration of the RMP method).
    public var recordMaxCurrentOf: Int? = nil
    /// Count this population's spikes per channel (calibration of the bias).
    public var recordChannelSpikesOf: Int? = nil
    /// Keep every population's spike train per image (tests; memory grows with T).
    public var keepSpikeTrains = false

    public init() {}
}

/// What one run of the reference simulator measured.
public struct SimulationResult: Sendable {
    /// Predicted class per image, per checkpoint (`predictions[k][image]`).
    public var predictions: [[Int]]
    /// Spikes per population over the counted ticks (summed over images).
    public var spikes: [Int]
    /// Largest input current seen by `recordMaxCurrentOf`, over neurons, ticks and images.
    public var maxCurrent: Float
    /// Spikes of `recordChannelSpikesOf` per channel over the counted ticks (summed over
    /// images); empty when not asked for.
    public var channelSpikes: [Int] = []
    /// Spike trains per image: `[image][population]` → indices of (tick · count + neuron) that fired.
    public var spikeTrains: [[[Int]]]
    public var ticksRun: Int
}

/// The float reference simulator: dense membranes, every neuron every tick, batched over
/// images on all cores. It is the oracle the emulator is checked against.
///
/// Per tick (Docs/Conversion.md, "Ticks"): (1) deliver spikes — each source spike of amplitude θ_source adds its
/// weights to the targets' input current; (2) add the bias; (3) every neuron with V ≥ θ
/// fires once and resets (V − θ, or 0); (4) the output integrates and never fires.
/// Membranes are stored channels-last (HWC) so that a spike into a convolution adds one
/// contiguous run of `outChannels` weights per kernel tap.
public struct ReferenceSimulator: Sendable {
    /// The network run: a float network, or a fixed-point network's `integerView()`.
    public let network: SpikingNetwork
    /// True for a fixed-point network: spikes carry amplitude 1, the direct input current is
    /// rounded to an integer per tick, and SRP resets to Θ/2 rounded half away from zero —
    /// the emulator's arithmetic, in Float (exact below 2^24).
    public let integerUnits: Bool
    let compiled: [CompiledProjection]
    let incoming: [[Int]]
    let delays: [Int]
    let depths: [Int]

    /// Runs a float network.
    public init(network: SpikingNetwork) {
        self.init(network, integerUnits: false)
    }

    /// Runs a fixed-point network in its integer units.
    public init(network: FixedPointNetwork) {
        self.init(network.integerView(), integerUnits: true)
    }

    init(_ network: SpikingNetwork, integerUnits: Bool) {
        self.network = network
        self.integerUnits = integerUnits
        compiled = network.projections.map { CompiledProjection($0, network: network) }
        incoming = network.incomingIndices
        depths = network.depths
        delays = network.axonDelays
    }

    /// The value one spike of population `p` carries into its targets' weights.
    func amplitude(_ p: Int) -> Float {
        integerUnits ? 1 : network.amplitude(p)
    }

    /// The output's depth: extra ticks a pipelined run needs for input to reach the output.
    public var depth: Int { depths[network.output] }

    /// Runs `count` images (NCHW floats, normalized) and reads predictions at every checkpoint.
    public func run(_ input: [Float], count: Int, options: SimulationOptions) throws -> SimulationResult {
        let schedule = try TickSchedule(
            checkpoints: options.checkpoints, srpTau: options.srpTau, delivery: options.delivery,
            depths: depths, output: network.output)
        let checkpoints = schedule.checkpoints
        let inputSize = network.populations[0].count
        try checkBatch(input, count: count, inputSize: inputSize)
        let partials = Parallel.map(count: count, workers: options.workers) { range in
            var state = ImageState(simulator: self, options: options)
            var partial = Partial(checkpoints: checkpoints.count, populations: network.populations.count)
            for image in range {
                let r = state.simulate(
                    image: image, pixels: Array(input[(image * inputSize)..<((image + 1) * inputSize)]),
                    schedule: schedule)
                for k in checkpoints.indices { partial.predictions[k].append((image, r.predictions[k])) }
                for p in partial.spikes.indices { partial.spikes[p] += r.spikes[p] }
                partial.maxCurrent = max(partial.maxCurrent, r.maxCurrent)
                partial.add(channelSpikes: r.channelSpikes)
                if options.keepSpikeTrains { partial.trains.append((image, r.trains)) }
            }
            return partial
        }
        var predictions = [[Int]](repeating: [Int](repeating: 0, count: count), count: checkpoints.count)
        var spikes = [Int](repeating: 0, count: network.populations.count)
        var maxCurrent = -Float.infinity
        var trains = [[[Int]]](repeating: [], count: options.keepSpikeTrains ? count : 0)
        var channelSpikes = [Int](
            repeating: 0, count: options.recordChannelSpikesOf.map { network.populations[$0].channels } ?? 0)
        for partial in partials {
            for k in checkpoints.indices { for (image, p) in partial.predictions[k] { predictions[k][image] = p } }
            for p in spikes.indices { spikes[p] += partial.spikes[p] }
            maxCurrent = max(maxCurrent, partial.maxCurrent)
            for (c, n) in partial.channelSpikes.enumerated() { channelSpikes[c] += n }
            for (image, t) in partial.trains { trains[image] = t }
        }
        return SimulationResult(
            predictions: predictions, spikes: spikes, maxCurrent: maxCurrent, channelSpikes: channelSpikes,
            spikeTrains: trains, ticksRun: schedule.totalTicks)
    }

    struct Partial {
        var predictions: [[(Int, Int)]]
        var spikes: [Int]
        var maxCurrent: Float = -.infinity
        var trains: [(Int, [[Int]])] = []
        var channelSpikes: [Int] = []
        mutating func add(channelSpikes counts: [Int]) {
            if channelSpikes.isEmpty {
                channelSpikes = counts
            } else {
                for (c, n) in counts.enumerated() { channelSpikes[c] += n }
            }
        }
        init(checkpoints: Int, populations: Int) {
            predictions = Array(repeating: [], count: checkpoints)
            spikes = Array(repeating: 0, count: populations)
        }
    }
}
