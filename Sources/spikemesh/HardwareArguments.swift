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

    /// Maps `network` with spike rates measured on a few calibration images.
    static func map(_ args: Arguments, network: SpikingNetwork, normalization: Normalization, hardware: HardwareModel,
                    quiet: Bool) throws -> (Mapping, String) {
        var options = Mapper.Options()
        options.seed = UInt64(try args.int("seed", min: 0) ?? 0)
        options.movesPerCore = try args.int("anneal", min: 0) ?? 2_000
        let n = try args.int("rate-images", min: 0) ?? 16
        var origin = "assumed 0.05 spikes/neuron/tick"
        if n > 0 {
            // Rates only steer placement, so when --data has no training split the bundled
            // training sample stands in.
            let data = try (try? ConversionArguments.calibrationData(args)) ?? Dataset.load(path: Defaults.calibrationData)
            let count = min(n, data.count)
            let images = data.normalizedBatch(0..<count, mean: normalization.mean, std: normalization.std)
            let progress = Progress("estimate spike rates", total: 1, enabled: !quiet)
            options.rates = try Mapper.estimateRates(network, images: images, count: count)
            progress.finish()
            origin = "\(count) calibration images, T = 32"
        }
        let progress = Progress("map onto \(hardware.name)", total: 1, enabled: !quiet)
        let mapping = try Mapper.map(network, on: hardware, options: options)
        progress.finish()
        return (mapping, origin)
    }
}
