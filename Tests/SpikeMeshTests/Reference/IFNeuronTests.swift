import Testing

@testable import SpikeMeshModel
@testable import SpikeMeshReference

@Suite struct IFNeuronTests {
    func spikes(_ inputs: [Float], threshold: Float, subtract: Bool, v0: Float = 0) -> Int {
        var v = v0
        var n = 0
        for x in inputs {
            let (u, s) = IFNeuron.step(v, current: x, threshold: threshold, subtract: subtract)
            v = u
            if s { n += 1 }
        }
        return n
    }

    /// RMP-SNN (Han et al. 2020), worked example: inputs 1.5θ, 1.2θ, 0.3θ.
    @Test func rmpPaperWorkedExample() {
        for theta: Float in [1, 0.25, 7] {
            let inputs = [1.5 * theta, 1.2 * theta, 0.3 * theta]
            #expect(spikes(inputs, threshold: theta, subtract: false) == 2)
            #expect(spikes(inputs, threshold: theta, subtract: true) == 3)
        }
    }

    /// A one-neuron network in the reference simulator: input x → identity → neuron(θ, V0).
    func oneNeuron(threshold: Float, v0: Float, reset: ResetMode) -> SpikingNetwork {
        SpikingNetwork(
            populations: [
                Population(
                    name: "input", shape: [1], threshold: 1, reset: reset, initialPotential: 0, bias: nil, layer: 0,
                    qcfsLambda: nil),
                Population(
                    name: "n", shape: [1], threshold: threshold, reset: reset, initialPotential: v0, bias: nil,
                    layer: 1, qcfsLambda: nil),
                Population(
                    name: "out", shape: [1], threshold: 1, reset: reset, initialPotential: 0, bias: nil, layer: 2,
                    qcfsLambda: nil),
            ],
            projections: [
                Projection(source: 0, target: 1, kind: .identity), Projection(source: 1, target: 2, kind: .identity),
            ],
            output: 2, metadata: [:])
    }

    /// Soft reset under constant input: spikes after N ticks = floor((N·x + V0)/θ), checked
    /// over a grid with dyadic values (exact in Float, so the floor is unambiguous).
    @Test func softResetCountsMatchTheClosedForm() throws {
        for theta: Float in [1, 0.5, 2] {
            for x in stride(from: Float(0.0625), through: 1, by: 0.1875).map({ $0 * theta }) {
                for v0 in [0, 0.25 * theta, 0.5 * theta] {
                    let sim = ReferenceSimulator(network: oneNeuron(threshold: theta, v0: v0, reset: .subtract))
                    var options = SimulationOptions()
                    options.keepSpikeTrains = true
                    options.checkpoints = [64]
                    let r = try sim.run([x], count: 1, options: options)
                    // The spike train gives the count after every N.
                    let ticks = r.spikeTrains[0][1].map { $0 + 1 }
                    for n in [1, 2, 3, 7, 16, 33, 64] {
                        let expected = Int(((Float(n) * x + v0) / theta).rounded(.down))
                        #expect(ticks.filter { $0 <= n }.count == expected, "θ=\(theta) x=\(x) V0=\(v0) N=\(n)")
                    }
                }
            }
        }
    }

    /// Firing rates: soft reset gives x/θ within 1/N (RMP-SNN eq. 4); hard reset fires every
    /// ⌈θ/x⌉ ticks, rate 1/⌈θ/x⌉ (eq. 3), which loses the residual and is lower.
    @Test func ratesOfSoftAndHardReset() throws {
        let n = 240
        for x: Float in [0.3, 0.45, 0.7, 0.9] {
            var options = SimulationOptions()
            options.checkpoints = [n]
            let soft = try ReferenceSimulator(network: oneNeuron(threshold: 1, v0: 0, reset: .subtract)).run(
                [x], count: 1, options: options)
            let hard = try ReferenceSimulator(network: oneNeuron(threshold: 1, v0: 0, reset: .zero)).run(
                [x], count: 1, options: options)
            let softRate = Double(soft.spikes[1]) / Double(n)
            let hardRate = Double(hard.spikes[1]) / Double(n)
            #expect(abs(softRate - Double(x)) <= 1.0 / Double(n), "x=\(x)")
            let period = (1 / Double(x)).rounded(.up)
            #expect(hard.spikes[1] == Int(Double(n) / period), "x=\(x)")
            #expect(hardRate <= softRate)
        }
    }
}
