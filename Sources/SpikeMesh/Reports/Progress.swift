import Foundation

/// Progress of a long run on stderr: silent for the first second, then one updating line
/// (a `\r`-rewritten line on a terminal, a line every 5 s otherwise). Quiet when disabled.
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var printed = false
    private let isTerminal = isatty(2) != 0
    private let lock = NSLock()

    public init(_ label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Reports `done` of `total` items.
    public func update(_ done: Int) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        guard elapsed >= 1, now.timeIntervalSince(lastPrint) >= (isTerminal ? 0.2 : 5) || done == total else { return }
        lastPrint = now
        printed = true
        let rate = Double(done) / max(elapsed, 1e-9)
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "%@: %d/%d (%.0f%%, %.0f/s, %.0f s left)", label, done, total,
                          100 * Double(done) / Double(max(total, 1)), rate, remaining)
        FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "" : "\n")).utf8))
    }

    /// Ends the progress line, if one was printed.
    public func finish() {
        guard enabled, printed, isTerminal else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
