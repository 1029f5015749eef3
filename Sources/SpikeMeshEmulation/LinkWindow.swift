import SpikeMeshCore
import SpikeMeshMapping

/// Link use over the next `ticks` ticks: how many packets each directed link already carries
/// in each tick. A packet takes its route's links in order; a link that is full in the tick
/// the packet reaches it makes the packet wait a tick (a stall) and try again. The window
/// decides arrival ticks and stalls; the engine counts them and queues the packet.
///
/// `use[(tick mod ticks) · linkCount + link]`; a tick's slot is cleared when the tick begins
/// (`beginTick`), so it is reused for tick + `ticks`. A packet that would wait `ticks − 1`
/// ticks or more cannot be placed in the window: the run stops with the congestion error
/// rather than dropping it.
struct LinkWindow {
    static let ticks = 256
    let linkCount: Int
    /// Packets per link per tick (0 = unlimited).
    let capacity: Int32
    private(set) var use: [Int32]
    /// Per tick of the window and timing (`ChipPlan.timings`): the longest route (ns) of the
    /// packets travelling in that tick, `routeNs[slot · timings + k]`.
    private var routeNs: [Double]
    let timings: Int

    init(linkCount: Int, capacity: Int, timings: Int) {
        self.linkCount = linkCount
        self.capacity = Int32(capacity)
        self.timings = timings
        use = [Int32](repeating: 0, count: Self.ticks * linkCount)
        routeNs = [Double](repeating: 0, count: Self.ticks * timings)
    }

    mutating func reset() {
        use.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for s in routeNs.indices { routeNs[s] = 0 }
    }

    /// Tick t begins: the slot of tick t − 1 becomes the slot of tick t + ticks − 1.
    mutating func beginTick(_ t: Int) {
        let stale = (t - 1 + Self.ticks) % Self.ticks
        use.withUnsafeMutableBufferPointer { lu in
            for l in 0..<linkCount { lu[stale * linkCount + l] = 0 }
        }
    }

    /// Records that packets travelling in tick `travel` took routes of these classes
    /// (`RouteTable.routeClass`): each timing keeps its longest.
    mutating func noteRoutes(_ classes: [Int32], travel: Int, timings: [TickTiming]) {
        let base = (travel % Self.ticks) * self.timings
        for (k, timing) in timings.enumerated() {
            var longest = routeNs[base + k]
            for c in classes { longest = max(longest, timing.wireNs[Int(c)]) }
            routeNs[base + k] = longest
        }
    }

    /// Tick t ends: the busiest link's load in t; `longest[k]` becomes the longest route that
    /// travelled in it by timing k, and the route slot is cleared.
    mutating func closeTick(_ t: Int, longest: inout [Double]) -> Int {
        let now = t % Self.ticks
        var busiest: Int32 = 0
        for l in 0..<linkCount where use[now * linkCount + l] > busiest { busiest = use[now * linkCount + l] }
        for k in 0..<timings {
            longest[k] = routeNs[now * timings + k]
            routeNs[now * timings + k] = 0
        }
        return Int(busiest)
    }

    /// Pointers for routing one population's spikes of a tick: taken once per call, so the
    /// per-packet work is plain memory.
    mutating func withPointer<R>(_ body: (UnsafeMutablePointer<Int32>) throws -> R) rethrows -> R {
        try use.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    /// Walks one packet that leaves in tick `travel` over `links` (its route), taking each
    /// link in the first tick it has room. Returns the tick the packet arrives and the
    /// stalls; calls `carried(link, load)` for every link taken with its load in that tick.
    @inline(__always)
    static func place(
        links: UnsafeBufferPointer<Int32>, leaving travel: Int, emitted t: Int, use: UnsafeMutablePointer<Int32>,
        linkCount lc: Int, capacity: Int32, mesh: MeshGeometry,
        carried: (Int, Int32) -> Void
    ) throws -> (arrival: Int, stalls: Int) {
        var u = travel
        var base = (travel % ticks) * lc
        var stalls = 0
        for l in links {
            let link = Int(l)
            if capacity > 0 {
                while use[base + link] >= capacity {
                    u += 1
                    base = (u % ticks) * lc
                    stalls += 1
                    if u - t >= ticks - 1 {
                        let d = mesh.describe(link: link)
                        throw SpikeMeshError(
                            .invalidArgument,
                            "link from router (\(d.x),\(d.y)) \(d.direction) stayed full for \(ticks - 1) ticks; the mesh is too congested — raise mesh.linkCapacity"
                        )
                    }
                }
            }
            use[base + link] += 1
            carried(link, use[base + link])
        }
        return (u, stalls)
    }
}
