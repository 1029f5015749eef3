import Foundation
import Synchronization

/// Progress of a long run on stderr: silent for the first second, then one updating line
/// (a `\r`-rewritten line on a terminal, a line every 5 s otherwise). Quiet when disabled.
public final class Progress: Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private let isTerminal = isatty(2) != 0
    /// When the line was last printed, and whether it ever was.
    private let state = Mutex<(lastPrint: Date, printed: Bool)>((.distantPast, false))
    /// The phase a multi-phase step is in (`update(_:of:phase:)`), when it began (the last
    /// update of the phase before, as the first update of a phase comes after some work), and
    /// when the last update came.
    private let phase = Mutex<(name: String, start: Date, last: Date)?>(nil)

    public init(_ label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Reports `done` of `total` items.
    public func update(_ done: Int) {
        report(done, of: total, label: label, since: start)
    }

    /// Reports `done` of `total` items of phase `name` of a step that runs in phases (a
    /// conversion: ANN passes, then layer by layer): the line names the phase, and its rate
    /// and time left count from the phase's start.
    public func update(_ done: Int, of total: Int, phase name: String) {
        guard enabled else { return }
        let now = Date()
        let (begun, changed) = phase.withLock { p in
            let changed = p != nil && p?.name != name
            if p?.name != name { p = (name, p?.last ?? start, now) }
            p!.last = now
            return (p!.start, changed)
        }
        // A new phase starts a new line on a terminal, so a shorter label leaves no residue.
        if changed, isTerminal, state.withLock({ $0.printed }) { FileHandle.standardError.write(Data("\n".utf8)) }
        report(done, of: total, label: "\(label), \(name)", since: begun)
    }

    private func report(_ done: Int, of total: Int, label: String, since start: Date) {
        guard enabled else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let sinceStart = now.timeIntervalSince(self.start)
        let due = state.withLock { s in
            guard sinceStart >= 1, now.timeIntervalSince(s.lastPrint) >= (isTerminal ? 0.2 : 5) || done == total else {
                return false
            }
            s = (now, true)
            return true
        }
        guard due else { return }
        let rate = Double(done) / max(elapsed, 1e-9)
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let line = String(
            format: "%@: %d/%d (%.0f%%, %.0f/s, %.0f s left)", label, done, total,
            100 * Double(done) / Double(max(total, 1)), rate, remaining)
        FileHandle.standardError.write(Data(((isTerminal ? "\r" : "") + line + (isTerminal ? "" : "\n")).utf8))
    }

    /// Ends the progress line, if one was printed.
    public func finish() {
        guard enabled, isTerminal, state.withLock({ $0.printed }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
