import Foundation

/// One part of a job split over a batch system's array (Docs/WhatIf.md, "Sharding"): part
/// `index` of `count`, 1-based, taking items index − 1, index − 1 + count, … SpikeMesh splits
/// and merges deterministically; the batch system (Slurm, LSF, PBS, AWS Batch, GNU parallel)
/// schedules.
public struct Shard: Sendable, Equatable {
    /// 1 … count.
    public var index: Int
    public var count: Int
    /// The most parts a job may be split into.
    public static let maximumCount = 1_000_000

    public init(index: Int, count: Int) { (self.index, self.count) = (index, count) }

    /// The whole job, unsplit.
    public static let whole = Shard(index: 1, count: 1)

    /// Parses `K/N`, `auto` or `auto/N`. `auto` reads the array task from `environment`:
    ///
    /// | scheduler | index | count |
    /// |---|---|---|
    /// | Slurm (`sbatch --array=A-B[:S]`) | `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN`, over the step `SLURM_ARRAY_TASK_STEP` | `SLURM_ARRAY_TASK_COUNT` (else from `…_MAX`) |
    /// | AWS Batch | `AWS_BATCH_JOB_ARRAY_INDEX` (0-based) | `AWS_BATCH_JOB_ARRAY_SIZE` |
    /// | LSF (`bsub -J "x[1-N]"`) | `LSB_JOBINDEX` | — |
    /// | PBS Pro / Torque (`-J 1-N` / `-t 1-N`) | `PBS_ARRAY_INDEX` / `PBS_ARRAYID` | — |
    /// | GNU parallel | `PARALLEL_SEQ` | — |
    ///
    /// Where the scheduler does not tell the count, `auto/N` gives it, and the index must run
    /// from 1 to N. Outside any array, `auto` is an error that names what it looked for.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> Shard
    {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let first = parts.first else { throw usage() }
        let given: Int?
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 1, n <= maximumCount else { throw usage() }
            given = n
        } else {
            given = nil
        }
        if first == "auto" { return try fromEnvironment(environment, count: given) }
        guard let k = Int(first), let n = given, k >= 1, k <= n else { throw usage() }
        return Shard(index: k, count: n)
    }

    static func usage() -> SpikeMeshError {
        SpikeMeshError(
            .usage,
            "expected K/N with 1 ≤ K ≤ N ≤ \(maximumCount) (e.g. 2/8), auto (a Slurm or AWS Batch array), or auto/N (an LSF, PBS or GNU parallel array of N tasks)"
        )
    }

    static func fromEnvironment(_ env: [String: String], count given: Int?) throws -> Shard {
        func int(_ key: String) throws -> Int? {
            guard let text = env[key] else { return nil }
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw SpikeMeshError(.usage, "--shard auto: \(key)=\(Text.escaped(text)) is not an integer")
            }
            return v
        }
        func checked(_ k: Int, _ n: Int, _ source: String) throws -> Shard {
            guard n >= 1, n <= maximumCount, k >= 1, k <= n else {
                throw SpikeMeshError(
                    .usage,
                    "--shard auto: \(source) gives task \(k) of \(n); tasks must run from 1 to the count (at most \(maximumCount))"
                )
            }
            if let given, given != n {
                throw SpikeMeshError(.usage, "--shard auto/\(given): \(source) says the array has \(n) tasks")
            }
            return Shard(index: k, count: n)
        }
        if let id = try int("SLURM_ARRAY_TASK_ID") {
            let low = try int("SLURM_ARRAY_TASK_MIN") ?? 0
            let step = max(try int("SLURM_ARRAY_TASK_STEP") ?? 1, 1)
            let source = "Slurm (SLURM_ARRAY_TASK_ID=\(id), MIN=\(low), STEP=\(step))"
            guard id >= low, (id - low) % step == 0 else {
                throw SpikeMeshError(
                    .usage, "--shard auto: \(source) is not on the array's range; submit a range such as --array=1-8")
            }
            let n: Int
            if let c = try int("SLURM_ARRAY_TASK_COUNT") {
                n = c
            } else if let high = try int("SLURM_ARRAY_TASK_MAX") {
                n = (high - low) / step + 1
            } else if let given {
                n = given
            } else {
                throw SpikeMeshError(
                    .usage, "--shard auto: \(source) gives no SLURM_ARRAY_TASK_COUNT or _MAX; give --shard auto/N")
            }
            return try checked((id - low) / step + 1, n, source)
        }
        if let id = try int("AWS_BATCH_JOB_ARRAY_INDEX") {
            guard let n = try int("AWS_BATCH_JOB_ARRAY_SIZE") ?? given else {
                throw SpikeMeshError(
                    .usage, "--shard auto: AWS Batch gives no AWS_BATCH_JOB_ARRAY_SIZE; give --shard auto/N")
            }
            return try checked(id + 1, n, "AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX=\(id))")
        }
        for (key, name) in [
            ("LSB_JOBINDEX", "LSF"), ("PBS_ARRAY_INDEX", "PBS"), ("PBS_ARRAYID", "PBS"),
            ("PARALLEL_SEQ", "GNU parallel"),
        ] {
            // LSF sets LSB_JOBINDEX to 0 in a job that is not an array.
            guard let k = try int(key), !(key == "LSB_JOBINDEX" && k == 0) else { continue }
            guard let n = given else {
                throw SpikeMeshError(
                    .usage, "--shard auto: \(name) gives the task (\(key)=\(k)) but not the count; give --shard auto/N")
            }
            return try checked(k, n, "\(name) (\(key)=\(k))")
        }
        throw SpikeMeshError(
            .usage,
            "--shard auto: no job array found: looked for SLURM_ARRAY_TASK_ID (Slurm), AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch), LSB_JOBINDEX (LSF), PBS_ARRAY_INDEX or PBS_ARRAYID (PBS), PARALLEL_SEQ (GNU parallel); outside an array give --shard K/N"
        )
    }
}
