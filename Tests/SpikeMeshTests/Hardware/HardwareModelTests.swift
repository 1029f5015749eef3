import Foundation
import Testing

@testable import SpikeMeshCore
@testable import SpikeMeshHardware

@Suite struct HardwareModelTests {
    func parse(_ text: String, overrides: [String] = []) throws -> HardwareModel {
        try HardwareModel.parse(Data(text.utf8), defaultName: "test", overrides: overrides)
    }

    func error(_ text: String, overrides: [String] = []) -> String {
        do {
            _ = try parse(text, overrides: overrides)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func shippedModelsLoadWithTheirNumbers() throws {
        let root = Fixtures.packageRoot.path + "/HardwareModels/"
        let loihi = try HardwareModel.load(root + "loihi.json")
        #expect(loihi.mesh.coresPerChip == 128)
        #expect(
            loihi.core.neurons == 1024 && loihi.core.axons == 4096 && loihi.core.synapseMemoryBits == 128 * 1024 * 8)
        #expect(loihi.core.weightBits == 8 && loihi.core.potentialBits == 24)
        #expect(
            loihi.energy.synapticOpPJ == 23.6 && loihi.energy.neuronUpdatePJ == 81
                && loihi.energy.idleNeuronUpdatePJ == 52)
        let tn = try HardwareModel.load(root + "truenorth.json")
        #expect(tn.mesh.coresPerChip == 4096 && tn.core.neurons == 256 && tn.core.axons == 256)
        #expect(tn.energy.synapticOpPJ == 26 && tn.time.minimumTickNs == 1_000_000)
        // SANA-FE's silicon-calibrated Loihi table (arch/loihi.yaml), every per-event key read.
        let sanafe = try HardwareModel.load(root + "loihi-sanafe.json")
        #expect(sanafe.mesh == loihi.mesh && sanafe.core.neurons == 1024 && sanafe.core.somaUpdate == .everyTick)
        #expect(SynapseClass.allCases.map { sanafe.energy.synapticOpPJ($0) } == [24.0, 35.5, 33.6])
        #expect(SynapseClass.allCases.map { sanafe.time.synapticOpNs($0) } == [3.1, 3.8, 4.7])
        // Access 51.2 + update 21.6.
        #expect(sanafe.energy.neuronUpdatePJ == 72.8 && sanafe.energy.idleNeuronUpdatePJ == 51.2)
        #expect(
            sanafe.energy.spikePJ == 69.3 && sanafe.energy.spikeOutPJ == 111 && sanafe.energy.hopPJ == 3
                && sanafe.energy.hopNorthSouthPJ == 4.2)
        #expect(
            sanafe.time.spikeNs == 30 && sanafe.time.packetOutNs == 5.1 && sanafe.time.packetInNs == 16
                && sanafe.time.hopNorthSouthNs == 6.5)
        #expect(
            [1, 2, 3, 4, 28, 29, 128].map { sanafe.time.barrierNs(tilesInUse: $0) } == [
                600, 1000, 1000, 1400, 1400, 1800, 1800,
            ])
        #expect(
            !loihi.time.hasDetailedCoreTime && !loihi.energy.hasSynapseClasses
                && loihi.time.barrierNs(tilesInUse: 5) == 465)
        let small = try HardwareModel.load(root + "generic-small.json")
        #expect(small.core.sharedKernels && small.mesh.chips == 2)
    }

    @Test func missingKeysTakeDefaults() throws {
        let m = try parse(#"{"version": 1}"#)
        #expect(m.name == "test" && m.core == HardwareModel.Core() && m.mesh == HardwareModel.Mesh())
    }

    @Test func badFilesNameThePlaceAndTheProblem() {
        #expect(error(#"{"name": "x"}"#).contains("\"version\" is required"))
        #expect(error(#"{"version": 2}"#).contains("version\": 2 is not supported"))
        #expect(error(#"{"version": 1, "colour": 3}"#).contains("unknown key \"colour\""))
        #expect(error(#"{"version": 1, "core": {"neuron": 3}}"#).contains("unknown key \"core.neuron\""))
        #expect(error(#"{"version": 1, "core": {"neurons": "many"}}"#).contains("core.neurons: expected an integer"))
        #expect(error(#"{"version": 1, "core": {"neurons": 0}}"#).contains("core.neurons = 0 is below the minimum 1"))
        #expect(
            error(#"{"version": 1, "core": {"sharedKernels": 1}}"#).contains(
                "core.sharedKernels: expected true or false"))
        #expect(error(#"{"version": 1, "energy": {"hopPJ": -1}}"#).contains("energy.hopPJ = -1.0 must not be negative"))
        #expect(error(#"{"version": 1, "mesh": {"routing": "west-first"}}"#).contains("only \"xy\""))
        #expect(error(#"{"version": 1, "core": {"somaUpdate": "sometimes"}}"#).contains("core.somaUpdate"))
        #expect(error(#"{"version": 1,"#).contains("not valid JSON"))
        #expect(error(#"{"version": 1}"#, overrides: ["core.neuronz=3"]).contains("unknown key \"core.neuronz\""))
        #expect(error(#"{"version": 1}"#, overrides: ["neurons"]).contains("expected SECTION.KEY=VALUE"))
    }

    /// The barrier table: an object in a file, TILES:NS pairs from --set; below its first entry
    /// the first entry holds; bad tables name the key and the problem.
    @Test func barrierTableByTilesInUse() throws {
        let m = try parse(#"{"version": 1, "time": {"barrierNsByTilesInUse": {"4": 1400, "1": 600}}}"#)
        #expect(m.time.barrierNsByTilesInUse == [.init(tiles: 1, ns: 600), .init(tiles: 4, ns: 1400)])
        let set = try parse(#"{"version": 1}"#, overrides: ["time.barrierNsByTilesInUse=2:10,8:20"])
        #expect([1, 2, 7, 8, 9].map { set.time.barrierNs(tilesInUse: $0) } == [10, 10, 10, 20, 20])
        #expect(
            error(#"{"version": 1, "time": {"barrierNsByTilesInUse": 5}}"#).contains(
                "time.barrierNsByTilesInUse: expected an object"))
        #expect(error(#"{"version": 1, "time": {"barrierNsByTilesInUse": {}}}"#).contains("expected 1 to 64 entries"))
        #expect(
            error(#"{"version": 1, "time": {"barrierNsByTilesInUse": {"0": 5}}}"#).contains(
                "tile count \"0\" is not an integer"))
        #expect(
            error(#"{"version": 1, "time": {"barrierNsByTilesInUse": {"1": -5}}}"#).contains(
                "time.barrierNsByTilesInUse.1 = -5.0 must not be negative"))
        #expect(
            error(#"{"version": 1}"#, overrides: ["time.barrierNsByTilesInUse=1:5,1:6"]).contains(
                "tile count 1 appears twice"))
        #expect(
            error(#"{"version": 1}"#, overrides: ["time.barrierNsByTilesInUse=1-5"]).contains("expected TILES:NS pairs")
        )
        #expect(
            error(#"{"version": 1, "energy": {"synapticOpConvPJ": "x"}}"#).contains(
                "energy.synapticOpConvPJ: expected a number"))
    }

    @Test func overridesAreCheckedLikeTheFile() throws {
        let m = try parse(
            #"{"version": 1}"#, overrides: ["core.neurons=512", "energy.hopPJ=2.5", "core.sharedKernels=true"])
        #expect(m.core.neurons == 512 && m.energy.hopPJ == 2.5 && m.core.sharedKernels)
    }

    @Test func unknownNameListsTheShippedOnes() {
        do {
            _ = try HardwareModel.load("loihi9")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("loihi, loihi-sanafe, loihi2, spinnaker2, truenorth, generic-small"))
        }
    }
}
