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
    }

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
