import Testing

@testable import SpikeMeshReports

@Suite struct TargetLossTests {
    @Test func theSmallestTWithinTheLossIsChosen() {
        let t = TargetLoss(
            loss: 0.01, reference: 0.93, checkpoints: [64, 8, 16, 32], accuracies: [0.93, 0.80, 0.919, 0.925])
        #expect(t.timesteps == 32 && t.accuracy == 0.925)
        // 0.92 = 0.93 − 0.01 exactly (in decimal) is within the loss.
        let edge = TargetLoss(loss: 0.01, reference: 0.93, checkpoints: [8, 16], accuracies: [0.5, 0.92])
        #expect(edge.timesteps == 16)
        let none = TargetLoss(loss: 0, reference: 0.93, checkpoints: [8, 16], accuracies: [0.5, 0.92])
        #expect(none.timesteps == nil && none.text().contains("no T"))
    }
}
