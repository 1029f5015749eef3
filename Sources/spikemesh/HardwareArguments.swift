import Foundation
import SpikeMesh

/// Options shared by every command that puts a network on a chip.
enum HardwareArguments {
    static let specs: [OptionSpec] = [
        OptionSpec(name: "hardware", value: "NAME|FILE", help: "A shipped model (\(HardwareModel.shipped.joined(separator: ", "))) or a hardware-model JSON file (default loihi). Keys: Docs/HardwareModels.md."),
        OptionSpec(name: "set", value: "K=V[,K=V…]", help: "Override hardware keys for a what-if study, e.g. core.neurons=512,energy.hopPJ=2."),
    ]
    static let mappingSpecs: [OptionSpec] = [
        OptionSpec(name: "rate-images", value: "N", help: "Calibration images simulated to estimate spike rates for placement (default 16; 0 = assume 0.05)."),
        OptionSpec(name: "anneal", value: "N", help: "Placement annealing moves per core (default 2000; 0 = snake baseline only)."),
    ]

    static func model(_ args: Arguments, name: String? = nil) throws -> HardwareModel {
        let overrides = args.values["set"].map { $0.split(separator: ",").map(String.init) } ?? []
        return try HardwareModel.load(name ?? args.values["hardware"] ?? "loihi", overrides: overrides)
    }

    /// Expected spike rates for placement, measured on a few calibration images (`--rate-images`),
    /// and where they came from. They depend on the network only, so one measurement serves
    /// every hardware model.
    static func rates(_ args: Arguments, network: SpikingNetwork, normalization: Normalization,
                      quiet: Bool) throws -> (values: [Double]?, origin: String) {
        let n = try args.int("rate-images", min: 0) ?? 16
        guard n > 0 else { return (nil, "assumed 0.05 spikes/neuron/tick") }
        // Rates only steer placement, so when --data has no training split the bundled
        // training sample stands in.
        let data = try (try? ConversionArguments.calibrationData(args)) ?? Dataset.load(path: Defaults.calibrationData)
        let count = min(n, data.count)
        let images = data.normalizedBatch(0..<count, mean: normalization.mean, std: normalization.std)
        let progress = Progress("estimate spike rates", total: 1, enabled: !quiet)
        defer { progress.finish() }
        return (try ReferenceSimulator.spikeRates(network, images: images, count: count), "\(count) calibration images, T = 32")
    }

    /// Maps `network` with the given expected rates.
    static func map(_ args: Arguments, network: SpikingNetwork, hardware: HardwareModel, rates: [Double]?, quiet: Bool) throws -> Mapping {
        var options = Mapper.Options()
        options.seed = UInt64(try args.int("seed", min: 0) ?? 0)
        options.movesPerCore = try args.int("anneal", min: 0) ?? 2_000
        options.rates = rates
        let progress = Progress("map onto \(hardware.name)", total: 1, enabled: !quiet)
        defer { progress.finish() }
        return try Mapper.map(network, on: hardware, options: options)
    }
}
