/// The one error type of SpikeMesh.
///
/// Every message names the place (file, node, key, byte offset) and the problem, and
/// says what was expected, e.g. `model.onnx: node "Conv_3": attribute "group" = 2 is not
/// supported (only 1)`. The CLI prints `description` as its one-line error.
public struct SpikeMeshError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What kind of failure this is; tests and scripts match on it.
    public enum Code: String, Sendable {
        /// A file could not be read or written.
        case io
        /// Bytes that do not decode (protobuf, gzip, IDX, dataset files).
        case malformed
        /// An ONNX construct or option SpikeMesh does not support.
        case unsupported
        /// A structurally valid input that is inconsistent (shapes, missing tensors).
        case invalidModel
        /// Bad command-line usage or option value.
        case usage
        /// A bad argument passed to a library function.
        case invalidArgument
        /// The network does not fit the chip and the caller asked for it to (`--require-fit`).
        case doesNotFit
        /// Work estimated beyond the memory budget (`--max-memory`), refused before allocating.
        case memoryLimit

        /// The CLI's exit status for this error (Docs/CLI.md, "Exit status"): 2 for usage,
        /// 3 for does not fit, 4 for work refused by the memory limit, 1 for every other bad input. 70 (EX_SOFTWARE) is left for an
        /// internal error, one that is not a `SpikeMeshError`.
        public var exitStatus: Int32 {
            switch self {
            case .usage: 2
            case .doesNotFit: 3
            case .memoryLimit: 4
            case .io, .malformed, .unsupported, .invalidModel, .invalidArgument: 1
            }
        }
    }

    /// The exit status of an error that is not a `SpikeMeshError`: a bug in SpikeMesh.
    public static let internalErrorStatus: Int32 = 70

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The same error with `context: ` put in front of its message (e.g. a file name).
    public func prefixed(_ context: String) -> SpikeMeshError {
        SpikeMeshError(code, "\(context): \(message)")
    }
}
