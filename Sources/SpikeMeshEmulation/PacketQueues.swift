/// One address-event packet on its way to a destination core.
struct Packet {
    var core: Int32
    var projection: Int32
    var neuron: Int32
    /// +1; −1 for a negative Poisson input spike or a signed relay's negative spike; a graded
    /// relay's payload (its partial sum, in the target's integer units).
    var sign: Int32
    /// The entry's window-tap range in the delivery plan (−1 for dense and identity).
    var taps: Int32
}

/// Packets waiting for delivery, per target population and due tick: a ring of
/// `length` tick slots per population (NEST's `Buffers_`). Slots keep their storage from
/// tick to tick, so a busy run allocates nothing per packet.
struct PacketQueues {
    let length: Int
    /// `slots[population · length + tick mod length]`.
    private var slots: [[Packet]]

    init(populations: Int, length: Int) {
        self.length = length
        slots = Array(repeating: [], count: populations * length)
    }

    /// Calls `body` with the packets due at population p in tick t, then empties the slot
    /// (keeping its storage).
    mutating func drain<R>(_ p: Int, tick t: Int, _ body: ([Packet]) throws -> R) rethrows -> R? {
        let s = p * length + t % length
        guard !slots[s].isEmpty else { return nil }
        var packets: [Packet] = []
        swap(&packets, &slots[s])
        defer {
            packets.removeAll(keepingCapacity: true)
            swap(&packets, &slots[s])
        }
        return try body(packets)
    }

    /// Empties every slot and returns how many packets were still waiting.
    mutating func clear() -> Int {
        var waiting = 0
        for s in slots.indices where !slots[s].isEmpty {
            waiting += slots[s].count
            slots[s].removeAll(keepingCapacity: true)
        }
        return waiting
    }

    /// Appends packets through a `Writer`, which keeps the slot being filled out of the ring
    /// while consecutive packets go to the same (population, tick) — a run of appends then
    /// skips the nested-array uniqueness checks.
    mutating func write<R>(_ body: (inout Writer) throws -> R) rethrows -> R {
        var writer = Writer(length: length)
        swap(&writer.slots, &slots)
        defer {
            writer.close()
            swap(&writer.slots, &slots)
        }
        return try body(&writer)
    }

    struct Writer {
        let length: Int
        fileprivate var slots: [[Packet]] = []
        private var open: [Packet] = []
        private var openSlot = -1

        fileprivate init(length: Int) { self.length = length }

        @inline(__always) mutating func append(_ packet: Packet, population p: Int, tick t: Int) {
            let s = p * length + t % length
            if s != openSlot {
                if openSlot >= 0 { swap(&open, &slots[openSlot]) }
                openSlot = s
                swap(&open, &slots[s])
            }
            open.append(packet)
        }

        fileprivate mutating func close() {
            if openSlot >= 0 { swap(&open, &slots[openSlot]) }
            openSlot = -1
        }
    }
}
