import Foundation
import Testing

@testable import SpikeMeshCore

/// `--shard K/N|auto|auto/N`: the array task read from each batch system's environment, and
/// one-line errors that say what was looked for.
@Suite struct ShardTests {
    static func parse(_ text: String, _ env: [String: String] = [:]) throws -> Shard {
        try Shard.parse(text, environment: env)
    }

    static func message(_ text: String, _ env: [String: String] = [:]) -> String? {
        do {
            _ = try parse(text, env)
            return nil
        } catch { return (error as? SpikeMeshError)?.message }
    }

    @Test func explicitShards() throws {
        #expect(try Self.parse("2/8") == Shard(index: 2, count: 8))
        #expect(try Self.parse("1/1") == .whole)
        for bad in ["0/8", "9/8", "2", "2/0", "a/b", "1/2/3", "2/1000001", ""] {
            #expect(Self.message(bad)?.hasPrefix("expected K/N") == true, "\(bad)")
        }
    }

    @Test func slurmArraysOfAnyRangeAndStep() throws {
        // sbatch --array=0-3: tasks 0…3 are shards 1…4.
        #expect(
            try Self.parse(
                "auto", ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 1, count: 4))
        #expect(
            try Self.parse(
                "auto", ["SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"])
                == Shard(index: 4, count: 4))
        // --array=1-7:2 is 1, 3, 5, 7: task 5 is shard 3 of 4.
        #expect(
            try Self.parse(
                "auto",
                [
                    "SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_STEP": "2",
                    "SLURM_ARRAY_TASK_COUNT": "4",
                ]) == Shard(index: 3, count: 4))
        // Without COUNT, MAX gives it.
        #expect(
            try Self.parse(
                "auto", ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_MAX": "13"])
                == Shard(index: 3, count: 4))
        #expect(
            Self.message(
                "auto/5", ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"])
                == "--shard auto/5: Slurm (SLURM_ARRAY_TASK_ID=1, MIN=1, STEP=1) says the array has 4 tasks")
        #expect(
            Self.message("auto", ["SLURM_ARRAY_TASK_ID": "x"])
                == "--shard auto: SLURM_ARRAY_TASK_ID=x is not an integer")
    }

    @Test func schedulersThatDoNotTellTheCountNeedIt() throws {
        #expect(try Self.parse("auto/4", ["LSB_JOBINDEX": "2"]) == Shard(index: 2, count: 4))
        #expect(try Self.parse("auto/4", ["PBS_ARRAY_INDEX": "4"]) == Shard(index: 4, count: 4))
        #expect(try Self.parse("auto/4", ["PBS_ARRAYID": "1"]) == Shard(index: 1, count: 4))
        #expect(try Self.parse("auto/3", ["PARALLEL_SEQ": "3"]) == Shard(index: 3, count: 3))
        #expect(
            try Self.parse("auto", ["AWS_BATCH_JOB_ARRAY_INDEX": "0", "AWS_BATCH_JOB_ARRAY_SIZE": "5"])
                == Shard(index: 1, count: 5))
        #expect(
            Self.message("auto", ["LSB_JOBINDEX": "2"])
                == "--shard auto: LSF gives the task (LSB_JOBINDEX=2) but not the count; give --shard auto/N")
        #expect(
            Self.message("auto/4", ["PBS_ARRAY_INDEX": "0"])
                == "--shard auto: PBS (PBS_ARRAY_INDEX=0) gives task 0 of 4; tasks must run from 1 to the count (at most 1000000)"
        )
    }

    @Test func outsideAnyArrayAutoSaysWhatItLookedFor() throws {
        // LSF sets LSB_JOBINDEX=0 in a job that is not an array.
        for env in [[:], ["LSB_JOBINDEX": "0"]] {
            let m = try #require(Self.message("auto", env))
            #expect(
                m.hasPrefix("--shard auto: no job array found: looked for SLURM_ARRAY_TASK_ID (Slurm)")
                    && m.hasSuffix("outside an array give --shard K/N"))
        }
    }
}
