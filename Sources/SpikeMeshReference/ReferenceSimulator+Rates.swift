import SpikeMeshCore
import SpikeMeshModel

extension ReferenceSimulator {
    /// Spikes per neuron per tick of every population, from a reference run of `count`
    /// images (NCHW, normalized) for `timesteps` ticks — the expected traffic that placement
    /// (`Mapper.Options.rates`) minimizes.
    public func spikeRates(images: [Float], count: Int, timesteps: Int = 32, encoding: InputEncoding = .direct) throws
        -> [Double]
    {
        var options = SimulationOptions()
        options.checkpoints = [timesteps]
        options.encoding = encoding
        let r = try run(images, count: count, options: options)
        return network.populations.indices.map { p in
            Double(r.spikes[p]) / Double(max(1, count * timesteps * network.populations[p].count))
        }
    }

    /// `spikeRates` of a float network.
    public static func spikeRates(
        _ network: SpikingNetwork, images: [Float], count: Int, timesteps: Int = 32,
        encoding: InputEncoding = .direct
    ) throws -> [Double] {
        try ReferenceSimulator(network: network).spikeRates(
            images: images, count: count, timesteps: timesteps, encoding: encoding)
    }
}
