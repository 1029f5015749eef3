import SpikeMeshCore
import SpikeMeshHardware
import SpikeMeshModel

/// Fan-out splitting (Docs/Mapping.md, "Splitters"): where a chip lets
/// one neuron address only `core.neuronFanOut` destination entries (TrueNorth: one axon on one
/// core) and a neuron needs more, its population's spikes go through a splitter population:
/// an identity copy (`Relay.splitter`) that the population reaches with one entry per neuron,
/// and that the mapper places as ⌈entries / neuronFanOut⌉ hardware copies of each neuron on
/// one core, each copy within the limit (`Mapping.copies`).
///
/// Like fan-in decomposition it changes the network, so the reference simulator runs the
/// splitter too (a copy, one tick later in pipelined delivery, where the depth-based axon
/// delays equalise it). Which populations need one depends on how their targets are sliced,
/// so the network is sliced first (`Mapper.map` without annealing); inserting splitters does
/// not change the targets' slicing, since each target neuron still receives one axon per
/// source neuron.
public enum FanOutSplitting {
    public struct Result: Sendable {
        public var network: SpikingNetwork
        /// One entry per splitter, as `FanInDecomposition.Relay` (`target` is the population
        /// whose spikes it copies; `limit` "neuron fan-out").
        public var splitters: [FanInDecomposition.Relay]
        /// For each population of the input network, its index in the split network.
        public var newIndex: [Int]
    }

    public static func split(_ network: SpikingNetwork, hardware: HardwareModel) throws -> Result {
        let limit = hardware.core.neuronFanOut
        let unchanged = Result(network: network, splitters: [], newIndex: Array(network.populations.indices))
        guard limit > 0 else { return unchanged }
        var options = Mapper.Options()
        options.movesPerCore = 0
        let mapping = try Mapper.map(network, on: hardware, options: options)
        // Most destination entries of one neuron, per population that is a neuron population.
        var most = [Int](repeating: 0, count: network.populations.count)
        for p in network.populations.indices.dropFirst() where network.populations[p].relay == nil {
            let o = mapping.destinationOffsets[p]
            most[p] = (0..<network.populations[p].count).reduce(0) { max($0, Int(o[$1 + 1] - o[$1])) }
        }
        guard most.contains(where: { $0 > limit }) else { return unchanged }
        var populations: [Population] = []
        var newIndex = [Int](repeating: 0, count: network.populations.count)
        var splitterOf = [Int?](repeating: nil, count: network.populations.count)
        var splitters: [FanInDecomposition.Relay] = []
        for (q, pop) in network.populations.enumerated() {
            newIndex[q] = populations.count
            populations.append(pop)
            guard most[q] > limit else { continue }
            splitterOf[q] = populations.count
            let name = "\(pop.name)/split"
            splitters.append(
                .init(
                    population: populations.count, name: name, target: newIndex[q], targetName: pop.name,
                    limit: "neuron fan-out", needed: most[q], available: limit, kind: .splitter,
                    sourceRange: 0..<pop.channels, neurons: pop.count))
            populations.append(
                Population(
                    name: name, shape: pop.shape, threshold: pop.threshold, reset: .subtract,
                    initialPotential: 0, bias: nil, layer: pop.layer, qcfsLambda: nil, relay: .splitter))
        }
        var projections = network.projections.map { proj in
            var copy = proj
            copy.source = splitterOf[proj.source] ?? newIndex[proj.source]
            copy.target = newIndex[proj.target]
            return copy
        }
        for q in network.populations.indices {
            if let s = splitterOf[q] { projections.append(Projection(source: newIndex[q], target: s, kind: .identity)) }
        }
        var metadata = network.metadata
        metadata["fanOutSplitters"] = "\(splitters.count)"
        let result = SpikingNetwork(
            populations: populations, projections: projections, output: newIndex[network.output], metadata: metadata)
        try result.validate()
        return Result(network: result, splitters: splitters, newIndex: newIndex)
    }
}
