import Foundation
import SpikeMesh

enum SweepCommand {
    static let vary = Option(
        "vary", "KEY=VALUES",
        help:
            "A swept key and its values: a list (core.weightBits=4,6,8), integers A..B (core.weightBits=2..8) or a geometric range A..BxF (core.neurons=256..4096x2); values that hold commas, as barrier tables do, are separated by ';' (time.barrierNsByTilesInUse=1:600,4:1400;1:500). KEY is a hardware key (mesh.*, core.*, time.*, energy.*), hardware, \(Sweep.conversionKeys.joined(separator: ", ")) or \(Sweep.runKeys.joined(separator: ", ")).",
        repeatable: true, parse: { [try Sweep.axis($0)] })
    static let zip = Flag("zip", help: "Pair the --vary lists (equally long) instead of taking every combination.")
    static let csv = Option(
        "csv", "FILE", help: "Also write the rows as CSV (a header, one line per point).", file: .output,
        parse: Parse.path)
    static let shard = Option(
        "shard", "K/N|auto",
        help:
            "Run only every N-th point, starting at the K-th (1 ≤ K ≤ N), for a job array; auto reads K and N from a Slurm or AWS Batch array, auto/N reads K from an LSF, PBS or GNU parallel one (Docs/WhatIf.md). Join the shards' --json outputs with --merge.",
        parse: { try Shard.parse($0) })
    static let merge = Option(
        "merge", "FILE[,FILE…]",
        help: "Join the --json outputs of the shards of one sweep into the output of the whole sweep; runs nothing.",
        repeatable: true, file: .inputs, parse: Parse.list)
    static let reproducible = Flag(
        "reproducible",
        help:
            "Leave out what depends on where and how the sweep ran (wall times, work counts, the shard), so sharded and merged outputs equal an unsharded run byte for byte."
    )

    static let spec = CommandSpec(
        name: "sweep",
        usage:
            "[MODEL|NET] --vary KEY=VALUES [--vary …] [--zip] [--hardware H] [--limit N] [--csv FILE] [--json] [--shard K/N] [--merge FILE…]",
        summary: "Hardware what-if study: the pipeline at every point of a grid of keys, one row per point.",
        discussion: """
            Each point recomputes only what its keys touch (Docs/WhatIf.md): one conversion per
            conversion setting, one mapping per hardware topology (hardware, mesh.*, core.*), one
            emulation per topology and run setting (timesteps, encoding, delivery, readout,
            srp-tau). Points that differ only in time.* and energy.* keys share that emulation:
            it times every tick by each of their time tables at once, and their energy is its
            counters priced again. Points are every combination of the
            --vary lists (the first slowest), or the lists paired with --zip. A row: the varied
            values; cores, chips, fits; accuracy; latency in ticks and µs; energy and its
            breakdown; synaptic ops, spike rate, packets, hops, peak link load, stalled
            packet-ticks; the energy-delay product; NeuroBench's metrics; with several
            --timesteps, the accuracy at each T; the point's wall time.
            Each point runs on the first --limit images (default 200). Progress and an estimate
            of the time left go to stderr (--quiet: none).
            """,
        positionals: [Opt.modelPositional],
        options: [vary.spec, zip.spec] + Opt.input + Opt.conversion + Opt.hardwareGroup + Opt.mapping + Opt.run + [
            Opt.json("One JSON object: the axes, the number of points, the rows, and the work the sweep did.").spec,
            csv.spec, Opt.html.spec, shard.spec, merge.spec, reproducible.spec, Opt.maxMemory.spec, Opt.quiet.spec,
        ],
        examples: [
            "spikemesh sweep --hardware loihi --vary energy.hopPJ=1.75,3.5,7 --vary mesh.linkCapacity=1,4,16,0 --limit 100",
            "spikemesh sweep --vary core.weightBits=2..8 --limit 200 --csv bits.csv --html bits.html",
            "spikemesh sweep --vary hardware=loihi,loihi-sanafe,loihi2,truenorth --limit 100 --json",
            "spikemesh sweep --vary core.neurons=256..4096x2 --vary mesh.columns=32,16,8 --zip --rate-images 0",
            "spikemesh sweep --vary energy.hopPJ=1,2,4 --shard 2/3 --json --reproducible > part2.json",
            "spikemesh sweep --merge part1.json,part2.json,part3.json --csv all.csv",
        ])

    /// Images per point when --limit is not given (as `report`): a grid multiplies the work.
    static let defaultLimit = 200

    static func run(_ args: Arguments) throws {
        let json = args.flag(Opt.json)
        let quiet = args.flag(Opt.quiet) || json
        let reproducible = args.flag(reproducible)
        let merging = try args.all(merge)
        if !merging.isEmpty {
            for o in spec.options
            where args.given(o.name)
                && !["merge", "csv", "html", "json", "reproducible", "quiet", "max-memory"].contains(o.name)
            {
                throw SpikeMeshError(
                    .usage, "--merge joins finished shards and runs nothing; --\(o.name) does not apply")
            }
            let table = try SweepTable.merge(merging)
            try output(table, args, json: json, reproducible: reproducible)
            return
        }
        var sweep = Sweep(axes: try args.all(vary), zip: args.flag(zip))
        if let part = try args.value(shard) { (sweep.shard, sweep.shards) = (part.index, part.count) }
        let pipeline = try Pipeline(args, quiet: true)
        let data = try pipeline.dataset(defaultLimit: defaultLimit)
        let total = try sweep.count()
        try pipeline.checkModel(args.positional(0), data: data)
        let start = Date()
        // Time left by the emulations left: re-priced points take next to nothing.
        let emulates = try sweep.emulates()
        let (rows, work) = try sweep.run(pipeline, model: args.positional(0), data: data) { done, of, row, how in
            guard !quiet else { return }
            let elapsed = Date().timeIntervalSince(start)
            let ran = emulates.prefix(done).filter { $0 }.count
            let remaining = emulates.dropFirst(done).filter { $0 }.count
            let left = elapsed / Double(max(ran, 1)) * Double(remaining)
            let what = Swift.zip(sweep.axes, row.values).map { "\($0.key)=\($1)" }.joined(separator: " ")
            let rest = done < of ? ", about \(Int(left.rounded())) s left" : ""
            let line = "[\(done)/\(of)] \(what): " + String(format: "%.1f", row.seconds) + " s (\(how))\(rest)\n"
            FileHandle.standardError.write(Data(line.utf8))
        }
        let table = SweepTable(
            model: args.positional(0) ?? BundledExample.model, data: data.source, count: data.count,
            hardware: pipeline.hardware.hardware, axes: sweep.axes, zip: sweep.zip, points: total,
            shard: sweep.shards > 1 ? (sweep.shard, sweep.shards) : nil, rows: rows, work: work)
        try output(table, args, json: json, reproducible: reproducible)
        if !rows.isEmpty, let first = rows.first?.error, rows.allSatisfy({ $0.error != nil }) {
            throw SpikeMeshError(
                .invalidArgument, "every point of the sweep failed (the rows say why); the first: \(first)")
        }
    }

    static func output(_ table: SweepTable, _ args: Arguments, json: Bool, reproducible: Bool) throws {
        let failure = writeFiles(
            args,
            [
                (Self.csv, { Array(table.csv(reproducible: reproducible).utf8) }),
                (Opt.html, { Array(table.html(command: Opt.commandLine).utf8) }),
            ])
        if json { printJSON(table.json(reproducible: reproducible)) } else { printText(table.text(), terminator: "") }
        if let failure { throw failure }
    }
}
