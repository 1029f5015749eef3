// spikemesh-fuzz: the coverage-guided fuzz targets of the loaders (Docs/Fuzzing.md).
//
// Built normally it replays files: `swift run spikemesh-fuzz TARGET FILE…` runs each file
// through TARGET and prints the outcome, so a crashing input can be reproduced and
// debugged without the fuzzer. Built by Tools/fuzz.sh (with `-sanitize=fuzzer,address
// -DSPIKEMESH_FUZZ`) it is a libFuzzer binary; SPIKEMESH_FUZZ_TARGET chooses the target.
//
// Each target feeds the bytes to one loader and accepts any SpikeMeshError: only a trap, a
// sanitizer report, a leak, a hang or an allocation above libFuzzer's limit is a finding.
import Foundation
import SpikeMesh
import SpikeMeshCLI
import SpikeMeshFormats

enum FuzzTarget: String, CaseIterable {
    case onnx, hardware, network, idx, gzip, inflate, dataset, cli

    /// Runs one input; a thrown SpikeMeshError is a clean rejection.
    func run(_ bytes: [UInt8]) throws {
        switch self {
        case .onnx:
            _ = try ONNXImporter.importModel(bytes: bytes, source: "fuzz.onnx", directory: nil)
        case .hardware:
            // A JSON model, then after a NUL byte one `--set` override per line.
            let parts = bytes.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            let overrides =
                parts.count > 1 ? String(decoding: parts[1], as: UTF8.self).split(separator: "\n").map(String.init) : []
            _ = try HardwareModel.parse(Data(parts.first ?? []), defaultName: "fuzz", overrides: overrides)
        case .network:
            _ = try NetworkFile.decode(Data(bytes))
        case .idx:
            _ = try IDXFile(bytes: bytes, name: "fuzz.idx")
        case .gzip:
            _ = try Gzip.decompress(bytes, name: "fuzz.gz", outputLimit: 1 << 26)
        case .inflate:
            _ = try Inflate.decompress(bytes, outputLimit: 1 << 26)
        case .dataset:
            _ = try Dataset.decode(fileBytes: bytes, name: "fuzz.smds")
        case .cli:
            // Arguments separated by NUL bytes: a command and its options.
            // Each point's --set and --vary hardware overrides are parsed onto a shipped model
            // held in memory, as `HardwareModel.load` would apply them.
            let argv = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            let points = try CLI.parse(argv)
            let model = Self.genericSmall
            for p in points {
                _ = try HardwareModel.parse(
                    model, defaultName: "generic-small",
                    overrides: p.hardware.overrides + p.hardware.varied.map(\.override))
            }
        }
    }

    /// The shipped generic-small model (the `cli` target parses overrides onto it), read anew
    /// for each input: a copy held in a global is reported as a leak by LeakSanitizer at exit.
    static var genericSmall: Data {
        FileManager.default.contents(atPath: "HardwareModels/generic-small.json")
            ?? FileManager.default.contents(
                atPath: #filePath.replacingOccurrences(
                    of: "Tools/Fuzz/FuzzTargets.swift", with: "HardwareModels/generic-small.json")) ?? Data()
    }

    func runAcceptingErrors(_ bytes: [UInt8]) -> String {
        do {
            try run(bytes)
            return "accepted"
        } catch let e as SpikeMeshError {
            return "rejected: \(e.message)"
        } catch {
            return "rejected (not a SpikeMeshError): \(error)"
        }
    }
}

#if SPIKEMESH_FUZZ
    let fuzzTarget: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SPIKEMESH_FUZZ_TARGET"] ?? ""
        guard let t = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(
                Data(
                    "set SPIKEMESH_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n"
                        .utf8))
            exit(2)
        }
        return t
    }()

    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        _ = fuzzTarget.runAcceptingErrors(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }

    /// libFuzzer's entry point for a program that has its own `main`.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's `main` to `<module>_main`; here it hands over to libFuzzer.
    @_cdecl("spikemesh_fuzz_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector, fuzzOneInput)
    }
#else
    @main struct Replay {
        static func main() {
            let argv = Array(CommandLine.arguments.dropFirst())
            guard let name = argv.first, let target = FuzzTarget(rawValue: name), argv.count > 1 else {
                print(
                    "usage: spikemesh-fuzz TARGET FILE…   (targets: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
                exit(2)
            }
            for path in argv.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    print("\(path): cannot read")
                    exit(1)
                }
                print("\(path): \(target.runAcceptingErrors([UInt8](data)))")
            }
        }
    }
#endif
