import Foundation
import Testing
@testable import SpikeMeshCore
@testable import SpikeMeshHardware

@Suite struct HardwareModelTests {
    func parse(_ text: String, overrides: [String] = []) throws -> HardwareModel {
        try HardwareModel.parse(Data(text.utf8), defaultName: "test", overrides: overrides)
    }

    func error(_ text: String, overrides: [String] = []) -> String {
        do { _ = try parse(text, overrides: overrides); return "no error" } catch { return "\(error)" }
    }

    @Test func shippedModelsLoadWithTheirNumbers() throws {
        let root = Fixtures.packageRoot.path + "/HardwareModels/"
        let loihi = try HardwareModel.load(root + "loihi.json")
        #expect(loihi.mesh.coresPerChip == 128)
        #expect(loihi.core.neurons == 1024 && loihi.core.axons == 4096 && loihi.core.synapseMemoryBits == 128 * 1024 * 8)
        #expect(loihi.core.weightBits == 8 && loihi.core.potentialBits == 24)
        #expect(loihi.energy.synapticOpPJ == 23.6 && loihi.energy.neuronUpdatePJ == 81 && loihi.energy.idleNeuronUpdatePJ == 52)
        let tn = try HardwareModel.load(root + "truenorth.json")
        #expect(tn.mesh.coresPerChip == 4096 && tn.core.neurons == 256 && tn.core.axons == 256)
        #expect(tn.energy.synapticOpPJ == 26 && tn.time.minimumTickNs == 1_000_000)
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
        #expect(error(#"{"version": 1, "core": {"sharedKernels": 1}}"#).contains("core.sharedKernels: expected true or false"))
        #expect(error(#"{"version": 1, "energy": {"hopPJ": -1}}"#).contains("energy.hopPJ = -1.0 must not be negative"))
        #expect(error(#"{"version": 1, "mesh": {"routing": "west-first"}}"#).contains("only \"xy\""))
        #expect(error(#"{"version": 1, "core": {"somaUpdate": "sometimes"}}"#).contains("core.somaUpdate"))
        #expect(error(#"{"version": 1,"#).contains("not valid JSON"))
        #expect(error(#"{"version": 1}"#, overrides: ["core.neuronz=3"]).contains("unknown key \"core.neuronz\""))
        #expect(error(#"{"version": 1}"#, overrides: ["neurons"]).contains("expected SECTION.KEY=VALUE"))
    }

    @Test func overridesAreCheckedLikeTheFile() throws {
        let m = try parse(#"{"version": 1}"#, overrides: ["core.neurons=512", "energy.hopPJ=2.5", "core.sharedKernels=true"])
        #expect(m.core.neurons == 512 && m.energy.hopPJ == 2.5 && m.core.sharedKernels)
    }

    @Test func unknownNameListsTheShippedOnes() {
        do { _ = try HardwareModel.load("loihi9"); Issue.record("expected an error") } catch {
            #expect("\(error)".contains("loihi, loihi2, spinnaker2, truenorth, generic-small"))
        }
    }
}
